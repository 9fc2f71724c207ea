//! The generated client of the session-core `sessioncore.v1` contract.
//!
//! The code under `src/gen` is written by `scripts/clients generate` (protoc-gen-prost
//! and protoc-gen-tonic through buf) and committed; never edit it by hand.

/// The `sessioncore` protobuf package.
pub mod sessioncore {
    /// Version 1 of the contract: messages, enums and `session_service_client`.
    #[allow(clippy::all, missing_docs)]
    pub mod v1 {
        include!("gen/sessioncore/v1/sessioncore.v1.rs");
    }
}
