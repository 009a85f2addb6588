//! Tier-up: a redefinition installs its bodies compiled at
//! [`Tier::Quick`] (about half of Cranelift's time, so the new definition
//! is callable sooner), and hands the same Cranelift function to this
//! background thread, which compiles it at [`Tier::Optimized`] and swaps it
//! in — if the slot still holds the quick body it was made for.
//!
//! The swap is a compare-and-exchange on the slot word: both bodies are
//! the same function (same CLIF, same slots, literals and layouts), so any
//! thread may run either, and no pause is needed. If a transaction has
//! replaced the body meanwhile (the exchange fails), the optimized code
//! was never reachable and is freed at once. If it succeeds, the quick
//! body is retired and reclaimed like any old version, at a later pause
//! when no frame runs it. Transactions swap slots with an exchange too
//! and retire whatever they replaced, so a body is retired exactly once.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use cranelift_codegen::ir::Function;
use cranelift_codegen::Context;
use crossbeam_channel::{Receiver, Sender};

use crate::code::SlotId;
use crate::codegen::srcloc::FuncInfo;
use crate::codegen::{self, Tier};
use crate::engine::Shared;

/// One body to optimize.
pub(crate) struct Job {
    /// The function as translated (what the quick body was compiled from).
    pub func: Function,
    pub slot: SlotId,
    /// Entry address of the quick body the slot must still hold.
    pub quick: usize,
    pub name: String,
    pub file: ember_lang::FileId,
    pub uses_structs: Box<[String]>,
}

/// The background optimizer of one engine.
pub(crate) struct TierUp {
    tx: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl TierUp {
    /// Start the optimizer thread for `shared`.
    pub fn start(shared: &Arc<Shared>) -> Option<TierUp> {
        let isa = codegen::host_isa_for(Tier::Optimized).ok()?;
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        let weak = Arc::downgrade(shared);
        let thread = std::thread::Builder::new()
            .name("ember-tierup".into())
            .spawn(move || run(isa, rx, weak))
            .ok()?;
        Some(TierUp {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queue `job` (dropped if the thread is gone).
    pub fn submit(&self, job: Job) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }
}

impl Drop for TierUp {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(isa: cranelift_codegen::isa::OwnedTargetIsa, rx: Receiver<Job>, shared: Weak<Shared>) {
    let mut cctx = Context::new();
    while let Ok(first) = rx.recv() {
        // Only the newest job per slot matters: older ones would fail
        // their exchange anyway.
        let mut newest: HashMap<SlotId, Job> = HashMap::new();
        newest.insert(first.slot, first);
        while let Ok(j) = rx.try_recv() {
            newest.insert(j.slot, j);
        }
        let Some(sh) = shared.upgrade() else { return };
        for (_, job) in newest {
            optimize(&*isa, &mut cctx, &sh, job);
        }
    }
}

/// Compile `job` optimized and swap it in if its quick body is still
/// current.
fn optimize(
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    cctx: &mut Context,
    sh: &Shared,
    job: Job,
) {
    if sh.slots.get(job.slot) != job.quick {
        return; // replaced meanwhile
    }
    cctx.clear();
    cctx.func = job.func;
    let Ok(compiled) = codegen::compile(isa, cctx) else {
        return; // the quick body stays (it compiled the same function)
    };
    let Ok(ptr) = sh.code.lock().alloc_and_write(&compiled.code, 16) else {
        return;
    };
    sh.registry.write().insert(FuncInfo {
        name: job.name,
        file: job.file,
        start: ptr.addr(),
        len: compiled.code.len(),
        srclocs: compiled.srclocs,
        stack_maps: compiled.stack_maps,
        uses_structs: job.uses_structs,
    });
    sh.code.lock().sync_other_threads();
    if sh.slots.compare_exchange(job.slot, job.quick, ptr.addr()) {
        sh.retire_code_at(job.quick);
        sh.tiered_up.fetch_add(1, Ordering::Relaxed);
    } else {
        sh.registry.write().remove(ptr.addr());
        let _ = sh.code.lock().free(ptr);
    }
}
