//! Kiln's kernels on the CPU path (burn flex, natively and in the browser's CPU modules): the
//! convolution (`conv.rs`, its matrix multiply in `multiply.rs`), the 2×2 max pooling
//! (`pool.rs`), the fused optimiser updates (`update.rs`); the ReLU is burn flex's own, already
//! one pass. Here: tensors as slices of numbers, new tensors from numbers, and a loop over a
//! batch's images on rayon's pool where the build has one (natively and in the multi-threaded
//! browser build).

mod conv;
mod loss;
mod multiply;
mod pool;
mod update;

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

use super::gelu::FusedGelu;
use super::norm::FusedNorm;
use super::relu::FusedRelu;

/// burn flex's ReLU is already one pass each way: the extension's defaults, burn's own.
impl FusedRelu for Flex {}

/// The CPU path computes GELU with burn's composition (`kernels::gelu` does not dispatch it
/// here); the extension's defaults are that composition.
impl FusedGelu for Flex {}

/// The CPU path keeps burn's `BatchNorm` and GELU's composition (`kernels::batch_norm_gelu` does
/// not dispatch it here); the extension's defaults are that composition.
impl FusedNorm for Flex {}

/// `tensor` as one whole contiguous buffer, ready for `storage_mut` or [`numbers`].
fn whole(tensor: FlexTensor) -> FlexTensor {
    let len = tensor.bytes().len() / size_of::<f32>();
    if tensor.layout().contiguous_offsets() == Some((0, len)) {
        tensor
    } else {
        tensor.to_contiguous()
    }
}

/// The numbers of a tensor made [`whole`], read only.
fn numbers(tensor: &FlexTensor) -> &[f32] {
    tensor
        .as_slice::<f32>()
        .expect("the caller made the tensor whole and f32")
}

/// A row-major f32 tensor of `shape` holding `values`.
fn tensor(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.to_vec()))
}

/// Calls `f(image, out, scratch)` for each image's share of `out` (`per_image` numbers each),
/// with a scratch buffer of `scratch_len` numbers per thread.
fn each_image<F>(out: &mut [f32], per_image: usize, scratch_len: usize, f: F)
where
    F: Fn(usize, &mut [f32], &mut [f32]) + Send + Sync,
{
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(per_image).enumerate().for_each_init(
            || vec![0.0; scratch_len],
            |scratch, (image, out)| f(image, out, scratch),
        );
    }
    #[cfg(not(any(not(target_arch = "wasm32"), feature = "threads")))]
    {
        let mut scratch = vec![0.0; scratch_len];
        for (image, out) in out.chunks_mut(per_image).enumerate() {
            f(image, out, &mut scratch);
        }
    }
}

/// The sum over `images` images of what `f(image, sum, scratch)` adds into a buffer of `len`
/// numbers, with a scratch buffer of `scratch_len` numbers. The images are summed in at most
/// [`SUM_GROUPS`] fixed groups, in parallel, and the groups' sums added in order: the same
/// numbers on any number of threads, so a run repeats exactly.
fn sum_over_images<F>(images: usize, len: usize, scratch_len: usize, f: F) -> Vec<f32>
where
    F: Fn(usize, &mut [f32], &mut [f32]) + Send + Sync,
{
    let per_group = images.div_ceil(SUM_GROUPS).max(1);
    let group = |g: usize| {
        let (mut sum, mut scratch) = (vec![0.0; len], vec![0.0; scratch_len]);
        for image in g * per_group..images.min((g + 1) * per_group) {
            f(image, &mut sum, &mut scratch);
        }
        sum
    };
    let groups = images.div_ceil(per_group);
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    let sums: Vec<Vec<f32>> = {
        use rayon::prelude::*;
        (0..groups).into_par_iter().map(group).collect()
    };
    #[cfg(not(any(not(target_arch = "wasm32"), feature = "threads")))]
    let sums: Vec<Vec<f32>> = (0..groups).map(group).collect();
    let mut sums = sums.into_iter();
    let mut total = sums.next().unwrap_or_else(|| vec![0.0; len]);
    for sum in sums {
        total.iter_mut().zip(&sum).for_each(|(t, s)| *t += s);
    }
    total
}

/// How many partial sums [`sum_over_images`] splits a batch into: enough to keep a few threads
/// busy, few enough that adding them up costs little.
const SUM_GROUPS: usize = 8;
