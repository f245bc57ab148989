//! Fuzzes spec loading, validation and rendering: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [kimai_deploy::Format::Yaml, kimai_deploy::Format::Json] {
        if let Ok(models) = kimai_deploy::model::load_all(data, format) {
            for model in &models {
                for target in kimai_deploy::Target::ALL {
                    let _ = kimai_deploy::render(model, target);
                }
            }
        }
    }
});
