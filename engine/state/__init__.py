"""Layer 3, the state of a file: inspection, findings, history reads, the legacy diagnosis, the
expected schemas. Read-only connections only; nothing here writes."""
