//! The matrix multiply of the convolution's three passes (`conv.rs`): the `gemm` crate, which
//! burn flex multiplies with, on operands given as row-major slices or their transposes.

/// A row-major matrix operand: its numbers and the steps between rows and between columns.
pub(super) struct Operand<'a> {
    numbers: &'a [f32],
    row_step: usize,
    column_step: usize,
}

impl<'a> Operand<'a> {
    /// `rows × columns`, row-major.
    pub(super) fn rows(numbers: &'a [f32], columns: usize) -> Self {
        Self {
            numbers,
            row_step: columns,
            column_step: 1,
        }
    }

    /// The transpose of a row-major matrix with `columns` columns.
    pub(super) fn transposed(numbers: &'a [f32], columns: usize) -> Self {
        Self {
            numbers,
            row_step: 1,
            column_step: columns,
        }
    }
}

/// `out (m × n, row-major) = lhs (m × k) · rhs (k × n)`, or `+=` with `accumulate`, on this
/// thread (the callers already run one image per thread).
pub(super) fn multiply(
    out: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
    lhs: Operand,
    rhs: Operand,
    accumulate: bool,
) {
    assert!(out.len() >= m * n, "the product does not fit its buffer");
    let reach = |o: &Operand, rows: usize, columns: usize| {
        (rows - 1) * o.row_step + (columns - 1) * o.column_step < o.numbers.len()
    };
    assert!(
        m * n * k == 0 || (reach(&lhs, m, k) && reach(&rhs, k, n)),
        "a factor does not fit its buffer"
    );
    // SAFETY: the asserts above keep every index gemm reads or writes inside its slice, and the
    // output slice is borrowed mutably, so nothing else reads it meanwhile.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.numbers.as_ptr(),
            lhs.column_step as isize,
            lhs.row_step as isize,
            rhs.numbers.as_ptr(),
            rhs.column_step as isize,
            rhs.row_step as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}
