"""The briefing pack: collect (queries and numbers), sentences (the Vietnamese findings), pptx and
docx (the files), pack (build_pack and the names the page uses), cli (python -m etl brief)."""
