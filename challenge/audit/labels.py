"""What each type of audit event is called on the pages (the audit log's "Action" column).

Every event type the code records has its label here: ``tests/campaigns/test_audit_log.py``
finds the types by reading the code and fails on one without a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "account.created": _l("Compte créé"),
    "account.made_admin": _l("Administrateur nommé"),
    "account.profile_updated": _l("Profil modifié"),
    "account.signed_in": _l("Connexion"),
    "campaign.created": _l("Campagne créée"),
    "campaign.settings_updated": _l("Paramètres modifiés"),
    "campaign.jury_settings_updated": _l("Réglages du jury modifiés"),
    "campaign.questions_updated": _l("Questions du formulaire modifiées"),
    "campaign.grid_updated": _l("Grille de notation modifiée"),
    "campaign.status_changed": _l("Changement d’étape"),
    "campaign.organiser_invited": _l("Organisateur invité"),
    "campaign.juror_invited": _l("Juré invité"),
    "campaign.organiser_removed": _l("Organisateur retiré"),
    "campaign.juror_removed": _l("Juré retiré"),
    "export.requested": _l("Export demandé"),
    "export.built": _l("Export préparé"),
    "export.downloaded": _l("Export téléchargé"),
    "export.expired": _l("Export expiré"),
    "jury.assignment_run": _l("Attribution automatique des propositions"),
    "jury.assignment_pinned": _l("Attribution fixée à la main"),
    "jury.assignment_removed": _l("Attribution retirée"),
    "jury.assignment_restored": _l("Attribution rétablie"),
    "jury.assignment_notified": _l("Jurés prévenus de leurs attributions"),
    "jury.conflict_declared": _l("Conflit d’intérêts déclaré"),
    "jury.conflict_withdrawn": _l("Conflit d’intérêts retiré"),
    "jury.reminders_sent": _l("Relances envoyées aux jurés"),
    "jury.review_saved": _l("Évaluation enregistrée"),
    "jury.review_submitted": _l("Évaluation envoyée"),
    "jury.shortlist_decided": _l("Présélection décidée"),
    "outbox.retry": _l("Message renvoyé"),
    "proposal.created": _l("Proposition créée"),
    "proposal.saved": _l("Brouillon enregistré"),
    "proposal.edited": _l("Proposition modifiée"),
    "proposal.late_edit_refused": _l("Modification refusée après la date limite"),
    "proposal.submitted": _l("Proposition déposée"),
    "proposal.resubmitted": _l("Proposition déposée de nouveau"),
    "proposal.withdrawn": _l("Proposition retirée"),
    "proposal.shortlisted": _l("Proposition présélectionnée"),
    "proposal.unshortlisted": _l("Présélection annulée"),
    "proposal.not_retained": _l("Proposition non retenue"),
    "proposal.laureate": _l("Proposition lauréate"),
    "proposal.mention": _l("Mention attribuée"),
    "proposal.attachment_added": _l("Pièce jointe ajoutée"),
    "proposal.attachment_removed": _l("Pièce jointe supprimée"),
    "proposal.coauthor_invited": _l("Co-auteur invité"),
    "proposal.coauthor_removed": _l("Co-auteur retiré"),
    "proposal.support_added": _l("Soutien ajouté"),
    "proposal.support_updated": _l("Soutien modifié"),
    "proposal.support_removed": _l("Soutien retiré"),
    "results.decided": _l("Décision du jury enregistrée"),
    "results.pitch_scored": _l("Pitch noté"),
    "results.slots_generated": _l("Créneaux de pitch créés"),
    "results.slot_added": _l("Créneau de pitch ajouté"),
    "results.slot_updated": _l("Créneau de pitch modifié"),
    "results.slot_moved": _l("Créneau de pitch déplacé"),
    "results.slot_freed": _l("Créneau de pitch libéré"),
    "results.slot_deleted": _l("Créneau de pitch supprimé"),
    "results.slots_filled": _l("Créneaux de pitch attribués"),
    "results.convocations_sent": _l("Convocations au pitch envoyées"),
    "results.convocation_answered": _l("Réponse à une convocation au pitch"),
    "results.templates_created": _l("Modèles des messages de résultats créés"),
    "results.template_updated": _l("Modèle de message de résultats modifié"),
    "results.messages_sent": _l("Messages de résultats envoyés"),
    "results.message_resent": _l("Message de résultats renvoyé"),
    "results.name_consent": _l("Accord pour la publication du nom"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
