//! The code store's low-level parts: executable memory ([`memory`]) and the
//! slot table every call goes through ([`slots`]).

pub mod memory;
pub mod slots;

pub use memory::{CodeMemory, CodeMemoryError, CodePtr, CodeStats};
pub use slots::{SlotId, SlotTable, SlotTableFull};
