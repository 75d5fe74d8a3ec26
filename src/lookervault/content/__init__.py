"""What is in a backup: list and show its items, verify it, export it as a YAML tree and
import such a tree back into a database that restore accepts."""
