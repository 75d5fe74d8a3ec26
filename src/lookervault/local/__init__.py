"""Local stand-ins: the Cloud Storage emulator, the Looker API stand-in, sample data, the demo.

Used by tests, benchmarks and `lookervault demo`; never imported by the other parts, so
nothing that runs in production depends on them.

    emulator: fake-gcs-server on a free loopback port
    standin:  a seeded Looker API 4.0 over real HTTP, with Looker's write rules and faults
    demo:     the job entry point as a process against both, then list and verify

Interrupted: every server is a child process or thread stopped on exit, and every file lives
in a temporary directory that is removed.
"""
