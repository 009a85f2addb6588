//! Task handles: `[header | payload pointer]`; the payload is whatever the
//! thread runtime stores (`Box<dyn Any + Send + Sync>`), dropped when the
//! handle is collected.

use std::any::Any;

use super::alloc::Mutator;
use super::object::{init_payload, Task, TaskPayload, KIND_TASK, PAYLOAD_OBJ_SIZE};
use super::RuntimeError;

/// A new task handle owning `payload`.
pub fn task_new(m: &mut Mutator, payload: TaskPayload) -> Result<Task, RuntimeError> {
    let p = m.alloc_raw(PAYLOAD_OBJ_SIZE, KIND_TASK)?;
    m.register_finalizable(p);
    // SAFETY: fresh payload-object cell with a task header.
    unsafe {
        init_payload(p, payload);
        Ok(Task::from_ptr(p))
    }
}

/// The payload of a task handle.
pub fn task_payload<'a>(t: Task) -> &'a (dyn Any + Send + Sync) {
    &**t.inner()
}
