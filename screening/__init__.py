"""What is allowed: project lists, sector catalog, rules engine, decisions and the `zoning` command."""
