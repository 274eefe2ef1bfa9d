//! On burn flex both networks' convolutions and 2×2 max pooling are Kiln's own operations
//! (`kernels::layers`). Their outputs and gradients must be burn's: the convolution's to float
//! rounding (it sums in another order), the pooling's exactly, ties and NaN included.
#![cfg(not(target_arch = "wasm32"))]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::prelude::*;
use burn::tensor::{Distribution, TensorData};
use kiln::kernels::check::{conv_gradients, pool_gradients};

/// The largest absolute difference between two tensors.
fn difference<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

#[test]
fn convolution_matches_burns() {
    let device = Device::flex().autodiff();
    // The seed's three layers at a small batch, an odd shape, an input given as a permuted view
    // (flex hands those on without copying), and airbench's layers: the 2×2 whitening, and
    // 3×3 with the same padding and no bias (also with a bias, and a 1×1 map all padding around).
    let valid = PaddingConfig2d::Valid;
    let same = PaddingConfig2d::Same;
    for (c_in, c_out, kernel, h, w, permuted, padding, bias) in [
        (3, 32, 3, 32, 32, false, valid.clone(), true),
        (32, 64, 3, 15, 15, false, valid.clone(), true),
        (64, 64, 3, 6, 6, false, valid.clone(), true),
        (5, 7, 2, 9, 4, true, valid.clone(), true),
        (3, 24, 2, 32, 32, false, valid.clone(), true),
        (24, 64, 3, 31, 31, false, same.clone(), false),
        (64, 16, 3, 7, 5, true, same.clone(), true),
        (
            4,
            8,
            5,
            1,
            1,
            false,
            PaddingConfig2d::Explicit(2, 2, 2, 2),
            false,
        ),
    ] {
        let pad = if padding == valid { 0 } else { kernel / 2 };
        let conv = Conv2dConfig::new([c_in, c_out], [kernel, kernel])
            .with_padding(padding)
            .with_bias(bias)
            .init(&device);
        let x = if permuted {
            Tensor::<4>::random([3, h, w, c_in], Distribution::Normal(0.0, 1.0), &device)
                .permute([0, 3, 1, 2])
        } else {
            Tensor::<4>::random([3, c_in, h, w], Distribution::Normal(0.0, 1.0), &device)
        };
        let out = [3, c_out, h + 2 * pad + 1 - kernel, w + 2 * pad + 1 - kernel];
        let upstream = Tensor::<4>::random(out, Distribution::Normal(0.0, 1.0), &device);
        let ours = conv_gradients(&conv, &x, &upstream, true, false);
        let burns = conv_gradients(&conv, &x, &upstream, false, false);
        for (what, (a, b)) in [
            "output",
            "input gradient",
            "weight gradient",
            "bias gradient",
        ]
        .iter()
        .zip(ours.into_iter().zip(burns))
        {
            let scale = b.clone().abs().max().into_scalar::<f32>();
            let diff = difference(a, b);
            println!("{c_in}→{c_out} {h}×{w}: {what} differs by {diff} (largest {scale})");
            assert!(
                diff <= 1e-5 * scale.max(1.0),
                "{c_in}→{c_out} {h}×{w}: the {what} differs from burn's by {diff}"
            );
        }
    }
}

#[test]
fn pooling_matches_burns_exactly() {
    let device = Device::flex().autodiff();
    let pool: MaxPool2d = MaxPool2dConfig::new([2, 2]).init();
    // Small integers, so windows hold ties; a NaN and −∞ in places; odd sizes leave a row and
    // a column out.
    let (shape, n) = ([2, 3, 7, 6], 2 * 3 * 7 * 6);
    let values: Vec<f32> = (0..n)
        .map(|i| match i {
            5 => f32::NAN,
            40 => f32::NEG_INFINITY,
            _ => ((i * 7919) % 5) as f32,
        })
        .collect();
    let x = Tensor::<4>::from_data(TensorData::new(values, shape), &device);
    let upstream = Tensor::<4>::random([2, 3, 3, 3], Distribution::Normal(0.0, 1.0), &device);
    let ours = pool_gradients(&pool, &x, &upstream, true);
    let burns = pool_gradients(&pool, &x, &upstream, false);
    // Bit for bit, NaN included.
    let bits = |t: &Tensor<1>| {
        t.to_data()
            .try_to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    };
    for (what, (ours, burns)) in ["pooled values", "pooling gradients"]
        .iter()
        .zip(ours.iter().zip(&burns))
    {
        assert_eq!(bits(ours), bits(burns), "the {what} differ from burn's");
    }
}

/// The check the browser test runs on the page's CPU path (`Engine.testLayers`), here.
#[test]
fn layers_check_agrees() {
    let difference =
        pollster::block_on(kiln::kernels::check::layers_difference(&Device::flex())).unwrap();
    println!("largest relative difference: {difference}");
    assert!(
        difference <= 1e-4,
        "Kiln's flex layers differ from burn's by {difference}"
    );
}
