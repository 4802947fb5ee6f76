//! The integration tests: the real `ai-setup` binary in temporary homes, against the real
//! reference endpoint (`ai-setup serve`) on loopback and the real client CLIs.

mod artifacts;
mod bad_input;
mod clients;
mod commands;
mod common;
mod config;
mod dashboard;
mod doctor;
mod faults;
mod keyring;
mod leaks;
mod mcp;
mod models;
mod network;
mod oidc;
mod oidc_provider;
mod opencode;
mod operations;
mod proxy;
mod read_side;
mod terminal;
mod trust;
