//! Read a JavaScript `Uint8Array` as a stream, a megabyte at a time, so that the 170 MB
//! archive is never copied whole into wasm memory, and report how far reading has got.

use std::io::Read;

use wasm_bindgen::JsValue;

pub struct JsArrayReader {
    array: js_sys::Uint8Array,
    position: u32,
    length: u32,
    /// Called as `on_progress(bytesDone, bytesTotal)` over all files of one load, if given.
    on_progress: Option<js_sys::Function>,
    /// Bytes of the files before this one, and of all files.
    offset: f64,
    total: f64,
    last_report: u32,
}

const CHUNK: u32 = 1 << 20;
const REPORT_EVERY: u32 = 4 << 20;

impl JsArrayReader {
    pub fn new(
        array: js_sys::Uint8Array,
        on_progress: Option<js_sys::Function>,
        offset: f64,
        total: f64,
    ) -> Self {
        let length = array.length();
        Self {
            array,
            position: 0,
            length,
            on_progress,
            offset,
            total,
            last_report: 0,
        }
    }

    fn report(&self) {
        let Some(on_progress) = &self.on_progress else {
            return;
        };
        let done = JsValue::from(self.offset + self.position as f64);
        let _ = on_progress.call2(&JsValue::NULL, &done, &JsValue::from(self.total));
    }
}

impl Read for JsArrayReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.length - self.position).min(buf.len().min(CHUNK as usize) as u32);
        if n == 0 {
            return Ok(0);
        }
        self.array
            .subarray(self.position, self.position + n)
            .copy_to(&mut buf[..n as usize]);
        self.position += n;
        if self.position - self.last_report >= REPORT_EVERY || self.position == self.length {
            self.last_report = self.position;
            self.report();
        }
        Ok(n as usize)
    }
}
