"""Agents' proposals: an irritant and a solution idea, written alone or with co-authors.

- Who may read, edit, send, support: :mod:`challenge.access.proposals` (declared once there).
- Statuses and their moves: :mod:`.lifecycle` (pure table); the one writer :mod:`.service.status`;
  their words for pages and exports: :mod:`.labels`.
- Fields, cleaning, validation, snapshots and diffs: :mod:`.fields`.
- Refusals that carry their page's data (closed campaign, other domain, save conflict):
  :mod:`.refusals`.
- Drafting (create, save, late copies, send, withdraw): :mod:`.service.drafting`, with the
  receipt mail in :mod:`.service.receipts` and the versions in :mod:`.service.versions`.
- Co-authors (invite, remove, bind at sign-in): :mod:`.service.coauthors`.
- Attachments: :mod:`.service.attachments` (writes), :mod:`.queries.downloads` (reads),
  :mod:`.storage` (files on disk, types sniffed).
- "Moi aussi" supports: :mod:`.service.supports` (writes), :mod:`.queries.irritants` (pages).
- "Mes propositions" and the authors' timeline: :mod:`.queries.my_proposals`, :mod:`.timeline`.
- History: :mod:`.queries.history`. Campaign for a new proposal: :mod:`.queries.campaigns`.
- Pages: :mod:`.views` (thin), :mod:`.forms`.
"""
