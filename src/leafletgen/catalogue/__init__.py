"""Building a catalogue: planning, incremental manifests, worker processes, progress, shards."""
