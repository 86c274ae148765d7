#[cfg(target_arch = "wasm32")]
fn main() {
    crm_web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("crm-web is a browser app: build and serve it with `cargo xtask run`");
}
