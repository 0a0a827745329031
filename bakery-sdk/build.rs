//! Generates the client from the committed contract, exactly as a mobile team's generator
//! would read it: the SDK never sees the server's code.

use std::path::Path;
use std::{env, fs};

fn main() {
    let spec_path = "../openapi.json";
    println!("cargo:rerun-if-changed={spec_path}");
    let text = fs::read_to_string(spec_path).expect("read ../openapi.json (regenerate it with: cargo run -p bakery-server -- openapi > openapi.json)");
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&text).expect("openapi.json is an OpenAPI 3.0 document");
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged);
    // Enums a newer server may extend: open types that keep an unknown value instead of
    // failing the whole response (src/open_enums.rs).
    for name in [
        "OrderStatus",
        "Fulfilment",
        "PaymentStatus",
        "NotificationType",
        "ImageStatus",
    ] {
        settings.with_replacement(
            name,
            format!("crate::open_enums::{name}"),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor accepts openapi.json");
    let file: syn::File = syn::parse2(tokens).expect("generated code parses");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bakery_api.rs");
    fs::write(out, prettyplease::unparse(&file)).expect("write generated client");
}
