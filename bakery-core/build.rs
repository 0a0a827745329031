// `sqlx::migrate!` embeds the migration files at compile time; without this, a newly added
// migration is only picked up after some other change triggers a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
