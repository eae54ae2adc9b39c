//! [`RecordingFactory`]: any backend, with every adapter call its fixtures receive written
//! down in order, by the method's v3 name: what a rule (or a flow of v3 core) asked of the
//! adapter, to set beside what the real next-auth core asks (`certify/tests/real_core.rs`).

use crate::backend::{BackendError, BackendFactory, Fixture};
use crate::layer::{Layer, Layered};
use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{AdapterConfig, Capabilities, Method, Result};
use std::sync::{Arc, Mutex};

/// The calls made so far, shared by a factory and its adapters.
pub type CallLog = Arc<Mutex<Vec<Method>>>;

/// `inner`, recording every adapter call of every fixture it opens into one [`CallLog`].
pub struct RecordingFactory {
    inner: Arc<dyn BackendFactory>,
    log: CallLog,
}

impl RecordingFactory {
    /// Records the calls made to `inner`'s adapters.
    pub fn new(inner: Arc<dyn BackendFactory>) -> Self {
        RecordingFactory {
            inner,
            log: CallLog::default(),
        }
    }

    /// The calls recorded since the last [`take`](Self::take), in order; empties the log.
    pub fn take(&self) -> Vec<Method> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait]
impl BackendFactory for RecordingFactory {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn open(&self, config: AdapterConfig) -> std::result::Result<Fixture, BackendError> {
        let fixture = self.inner.open(config).await?;
        Ok(Fixture {
            adapter: Arc::new(Layered {
                inner: fixture.adapter,
                layer: Recording {
                    log: Arc::clone(&self.log),
                },
            }),
            ..fixture
        })
    }
}

/// The layer that writes each call's method into the log, then makes the call.
struct Recording {
    log: CallLog,
}

#[async_trait]
impl Layer for Recording {
    async fn around<'a, T: Send + 'a>(
        &'a self,
        method: Method,
        call: BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(method);
        call.await
    }
}
