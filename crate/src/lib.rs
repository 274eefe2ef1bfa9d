//! Kiln: train a convolutional network on CIFAR-10, natively or in the browser.

pub mod data;
pub mod model;
pub mod train;
pub mod weights;
