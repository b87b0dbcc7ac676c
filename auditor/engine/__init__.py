"""The audit engine: the runner (collect, evaluate, stamp, persist), the link phase, source needs, stamping and the finding lifecycle, mutes, progress and the pre-launch claim list."""
