"""The briefing pack: collect, sentences, PowerPoint, Word."""
