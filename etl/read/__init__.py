"""Every query the pages, the briefing pack and exports run."""
