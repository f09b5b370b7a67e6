"""ReQoL-10: scoring, the licensed-wording definition file, and recording and reading scores.

The project ships no ReQoL wording. The definition file an organisation loads from its
licensed copy looks like this (docs/reqol.md describes it; docs/examples/ holds a fictional
one):

    {
      "measure": "ReQoL-10",
      "version": 1,
      "acknowledgement": "...as the licence asks...",
      "instructions": "...",
      "response_labels": ["...", "...", "...", "...", "..."],   # for responses 0 to 4
      "items": [{"key": "item_1", "text": "...", "reversed": false}, ...]   # exactly ten
    }

Each response is 0-4 as ticked. A positively worded item scores its response; a negatively
worded ("reversed") item scores 4 minus it. The total of the ten scores runs 0-40, and higher
is better.
"""
