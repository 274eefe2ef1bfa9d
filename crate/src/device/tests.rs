//! Every rule of [`decide`], and the JSON the worker exchanges with it.

use serde_json::json;

use super::*;

fn hardware() -> Adapter {
    Adapter {
        description: "NVIDIA · ada".into(),
        software: false,
        timestamp_query: true,
    }
}

fn software() -> Adapter {
    Adapter {
        description: "Google · swiftshader".into(),
        software: true,
        timestamp_query: true,
    }
}

/// An adapter without the optional `timestamp-query` feature (some mobile GPUs, other browsers).
fn without_timestamps() -> Adapter {
    Adapter {
        timestamp_query: false,
        ..hardware()
    }
}

/// A browser with a hardware adapter, nothing measured or tried yet.
fn known(preference: Preference) -> Known {
    Known {
        preference,
        webgpu_exposed: true,
        adapter: Some(hardware()),
        speeds: None,
        failure: None,
    }
}

fn measured(cpu: Option<f64>, webgpu: f64) -> Known {
    Known {
        speeds: Some(Measured { cpu, webgpu }),
        ..known(Preference::Auto)
    }
}

#[test]
fn the_cpu_when_chosen_whatever_else_is_known() {
    for preference_only in [
        known(Preference::Cpu),
        Known {
            webgpu_exposed: false,
            adapter: None,
            ..known(Preference::Cpu)
        },
        Known {
            speeds: Some(Measured {
                cpu: Some(1.0),
                webgpu: 1e6,
            }),
            ..known(Preference::Cpu)
        },
    ] {
        assert_eq!(decide(&preference_only), Decision::Cpu(CpuReason::Chosen));
    }
}

#[test]
fn webgpu_when_chosen_even_in_software() {
    assert_eq!(
        decide(&known(Preference::WebGpu)),
        Decision::WebGpu(GpuReason::Chosen)
    );
    let slow = Known {
        adapter: Some(software()),
        ..known(Preference::WebGpu)
    };
    assert_eq!(decide(&slow), Decision::WebGpu(GpuReason::Chosen));
}

#[test]
fn without_navigator_gpu_the_cpu_and_why() {
    for preference in [Preference::Auto, Preference::WebGpu] {
        let bare = Known {
            webgpu_exposed: false,
            adapter: None,
            ..known(preference)
        };
        assert_eq!(decide(&bare), Decision::Cpu(CpuReason::NoWebGpuInBrowser));
    }
}

#[test]
fn without_an_adapter_the_cpu_and_why() {
    for preference in [Preference::Auto, Preference::WebGpu] {
        let no_adapter = Known {
            adapter: None,
            ..known(preference)
        };
        assert_eq!(decide(&no_adapter), Decision::Cpu(CpuReason::NoAdapter));
    }
}

#[test]
fn auto_does_not_time_a_software_adapter() {
    let slow = Known {
        adapter: Some(software()),
        ..known(Preference::Auto)
    };
    assert_eq!(
        decide(&slow),
        Decision::Cpu(CpuReason::SoftwareAdapter {
            adapter: "Google · swiftshader".into()
        })
    );
}

#[test]
fn auto_with_a_hardware_adapter_measures_first() {
    let auto = known(Preference::Auto);
    assert_eq!(decide(&auto), Decision::Measure);
    assert_eq!(decide(&auto).backend(), None);
}

#[test]
fn auto_keeps_the_faster_device() {
    assert_eq!(
        decide(&measured(Some(300.0), 100.0)),
        Decision::Cpu(CpuReason::CpuFaster {
            speeds: Speeds {
                cpu: 300.0,
                webgpu: 100.0
            }
        })
    );
    assert_eq!(
        decide(&measured(Some(100.0), 300.0)),
        Decision::WebGpu(GpuReason::Faster {
            speeds: Speeds {
                cpu: 100.0,
                webgpu: 300.0
            }
        })
    );
    // A tie goes to WebGPU, which leaves the CPU free for the page.
    assert_eq!(
        decide(&measured(Some(200.0), 200.0)).backend(),
        Some(Backend::WebGpu)
    );
}

#[test]
fn auto_keeps_webgpu_when_the_cpu_could_not_be_timed() {
    assert_eq!(
        decide(&measured(None, 5.0)),
        Decision::WebGpu(GpuReason::CpuNotTimed)
    );
}

#[test]
fn a_failed_webgpu_falls_back_to_the_cpu_with_the_message() {
    for preference in [Preference::Auto, Preference::WebGpu] {
        let failed = Known {
            failure: Some(Failure::WebGpuFailed {
                message: "device lost".into(),
            }),
            ..measured(Some(1.0), 100.0)
        };
        let failed = Known {
            preference,
            ..failed
        };
        assert_eq!(
            decide(&failed),
            Decision::Cpu(CpuReason::WebGpuFailed {
                message: "device lost".into()
            })
        );
        let not_loaded = Known {
            failure: Some(Failure::BuildNotLoaded {
                message: "fetch failed".into(),
            }),
            ..known(preference)
        };
        assert_eq!(
            decide(&not_loaded),
            Decision::Cpu(CpuReason::BuildNotLoaded {
                message: "fetch failed".into()
            })
        );
    }
}

#[test]
fn decisions_travel_as_kind_and_reason_code() {
    let software = serde_json::to_value(decide(&Known {
        adapter: Some(software()),
        ..known(Preference::Auto)
    }))
    .unwrap();
    assert_eq!(
        software,
        json!({"kind": "cpu", "reason": {"code": "software_adapter", "adapter": "Google · swiftshader"}})
    );
    let faster = serde_json::to_value(decide(&measured(Some(1.0), 2.0))).unwrap();
    assert_eq!(
        faster,
        json!({"kind": "webgpu", "reason": {"code": "faster", "speeds": {"cpu": 1.0, "webgpu": 2.0}}})
    );
    let measure = serde_json::to_value(decide(&known(Preference::Auto))).unwrap();
    assert_eq!(measure, json!({"kind": "measure"}));
    let missing = serde_json::to_value(Decision::Cpu(CpuReason::NoWebGpuInBrowser)).unwrap();
    assert_eq!(
        missing,
        json!({"kind": "cpu", "reason": {"code": "no_webgpu_in_browser"}})
    );
}

#[test]
fn the_worker_s_facts_are_read_from_json_with_optional_fields_left_out() {
    let facts: Known = serde_json::from_value(json!({
        "preference": "webgpu",
        "webgpu_exposed": true,
        "adapter": {"description": "Apple · metal-3", "software": false, "timestamp_query": true},
    }))
    .unwrap();
    assert_eq!(facts.preference, Preference::WebGpu);
    assert_eq!(facts.speeds, None);
    let failed: Known = serde_json::from_value(json!({
        "preference": "auto",
        "webgpu_exposed": true,
        "adapter": null,
        "speeds": {"cpu": null, "webgpu": 3.5},
        "failure": {"code": "build_not_loaded", "message": "offline"},
    }))
    .unwrap();
    assert_eq!(
        decide(&failed),
        Decision::Cpu(CpuReason::BuildNotLoaded {
            message: "offline".into()
        })
    );
    let webgpu_failed = serde_json::to_value(Decision::Cpu(CpuReason::WebGpuFailed {
        message: "lost".into(),
    }))
    .unwrap();
    assert_eq!(webgpu_failed["reason"]["code"], "webgpu_failed");
    assert!(
        serde_json::from_value::<Known>(json!({"preference": "gpu", "webgpu_exposed": true}))
            .is_err()
    );
}

#[test]
fn an_adapter_without_timestamp_queries_is_never_started_and_says_why() {
    for preference in [Preference::Auto, Preference::WebGpu] {
        let lacking = Known {
            adapter: Some(without_timestamps()),
            ..known(preference)
        };
        assert_eq!(
            decide(&lacking),
            Decision::Cpu(CpuReason::NoTimestampQuery {
                adapter: "NVIDIA · ada".into()
            }),
            "{preference:?}"
        );
    }
    let chosen_cpu = Known {
        adapter: Some(without_timestamps()),
        ..known(Preference::Cpu)
    };
    assert_eq!(decide(&chosen_cpu), Decision::Cpu(CpuReason::Chosen));
    assert_eq!(
        serde_json::to_value(decide(&Known {
            adapter: Some(without_timestamps()),
            ..known(Preference::WebGpu)
        }))
        .unwrap(),
        json!({"kind": "cpu", "reason": {"code": "no_timestamp_query", "adapter": "NVIDIA · ada"}})
    );
}
