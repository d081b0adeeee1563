"""The briefing pack: collect (queries and numbers), sentences (the Vietnamese findings), pptx and
docx (the files), pack (build_pack and the names the page uses); `python -m etl brief` is
etl/cli/brief.py."""
