"""What a Looker instance held over time: two snapshots (or a snapshot and a local database)
compared item by item, and the timeline of snapshots the browser draws."""
