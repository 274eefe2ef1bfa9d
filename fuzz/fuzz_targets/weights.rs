//! The weights loader on arbitrary bytes: a burnpack file dropped on the page or passed to
//! `kiln eval --weights`. Every input is refused with a reason or yields a model.
#![no_main]

use burn::prelude::Device;
use kiln::weights;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let meta = weights::read_meta("fuzz.bpk", data);
    let loaded = weights::from_bytes("fuzz.bpk", data, &Device::flex());
    // Both read the same metadata: they agree on whether it is there.
    if loaded.is_ok() {
        assert!(meta.is_ok(), "from_bytes loaded what read_meta refused");
    }
});
