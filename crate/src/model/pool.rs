//! Max pooling over 2×2 windows with stride 2, as tensor operations: the map cut to even
//! sizes (an odd last row and column are dropped, as `MaxPool2d` drops them), reshaped to
//! `[b, c, h/2, 2, w/2, 2]`, and the maximum taken over the two window dimensions. burn's
//! autodiff differentiates `max_dim`, so the backward pass sends each window's gradient to
//! its maximum, as `MaxPool2d`'s does (ties aside).

use burn::prelude::*;

/// `[b, c, h, w]` → `[b, c, h / 2, w / 2]`: the same values as
/// `MaxPool2dConfig::new([2, 2]).init().forward(x)`.
pub fn max_pool_2x2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let (h2, w2) = (h / 2, w / 2);
    let x = if h % 2 == 1 || w % 2 == 1 {
        x.slice([0..b, 0..c, 0..2 * h2, 0..2 * w2])
    } else {
        x
    };
    let windows: Tensor<6> = x.reshape([b, c, h2, 2, w2, 2]);
    windows.max_dim(5).max_dim(3).reshape([b, c, h2, w2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::pool::MaxPool2dConfig;
    use burn::tensor::Distribution;

    /// Random `[2, 3, size, size]` maps (no ties), the pooled output of both ways, and the
    /// gradient each sends back for the same upstream gradient.
    fn both(size: usize) -> ([Vec<f32>; 2], [Vec<f32>; 2]) {
        let device = Device::flex().autodiff();
        device.seed(11);
        let x = Tensor::<4>::random([2, 3, size, size], Distribution::Normal(0.0, 1.0), &device);
        let upstream = Tensor::<4>::random(
            [2, 3, size / 2, size / 2],
            Distribution::Normal(0.0, 1.0),
            &device,
        );
        let run = |pool: &dyn Fn(Tensor<4>) -> Tensor<4>| {
            let leaf = x.clone().detach().require_grad();
            let y = pool(leaf.clone());
            let grads = (y.clone() * upstream.clone()).sum().backward();
            let dx = leaf.grad(&grads).expect("the input requires a gradient");
            let read = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
            (read(y.inner()), read(dx))
        };
        let reference = MaxPool2dConfig::new([2, 2]).init();
        let (y0, dx0) = run(&|t| reference.forward(t));
        let (y1, dx1) = run(&max_pool_2x2);
        ([y0, y1], [dx0, dx1])
    }

    #[test]
    fn equals_max_pool_2d_on_even_maps() {
        let ([y0, y1], [dx0, dx1]) = both(30);
        assert_eq!(y0.len(), 2 * 3 * 15 * 15);
        assert_eq!(y0, y1);
        assert_eq!(dx0, dx1);
    }

    #[test]
    fn equals_max_pool_2d_on_odd_maps_dropping_the_last_row_and_column() {
        let ([y0, y1], [dx0, dx1]) = both(13);
        assert_eq!(y0.len(), 2 * 3 * 6 * 6);
        assert_eq!(y0, y1);
        assert_eq!(dx0, dx1);
        // The dropped row and column get no gradient.
        let rows: Vec<&[f32]> = dx1.chunks(13).collect();
        assert!(
            rows.iter()
                .skip(12)
                .step_by(13)
                .all(|row| row.iter().all(|&g| g == 0.0))
        );
        assert!(rows.iter().all(|row| row[12] == 0.0));
    }
}
