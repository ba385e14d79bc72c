"""Platform writers: each turns the simulated items into one platform's real export format
(see docs/formats.md), the shapes that toolkit/ingest/ reads back."""
