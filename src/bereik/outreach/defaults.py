"""Seeded defaults: the outcome codes of DOMAIN.md §4 as data with their behaviour flags.

Labels are Dutch because they are the contact centre's own vocabulary and stay editable data.
``seed_outcome_codes`` is used by the data migration (with the historical model) and by tests.
"""

OUTCOME_CODES: list[dict] = [
    {
        "code": "geen_gehoor",
        "label": "Geen gehoor",
        "description": "Telefoon gaat over, niemand neemt op.",
        "aapor_class": "NC",
        "retry_delay_minutes": 120,
        "retry_other_day_part": True,
    },
    {
        "code": "voicemail",
        "label": "Voicemail",
        "description": "Voicemail bereikt (hooguit een of twee keer inspreken).",
        "aapor_class": "NC",
        "retry_delay_minutes": 120,
        "retry_other_day_part": True,
    },
    {
        "code": "in_gesprek",
        "label": "In gesprek",
        "description": "Bezet: straks opnieuw proberen.",
        "aapor_class": "UH",
        "retry_delay_minutes": 20,
    },
    {
        "code": "niet_aanwezig",
        "label": "Niet aanwezig",
        "description": "Iemand neemt op, de inwoner is er niet.",
        "aapor_class": "NC",
        "contact_made": True,
        "retry_delay_minutes": 120,
    },
    {
        "code": "niet_beschikbaar",
        "label": "Niet beschikbaar",
        "description": "De inwoner kan nu niet praten: maak een terugbelafspraak.",
        "aapor_class": "O",
        "contact_made": True,
        "right_party_contact": True,
        "requires_callback": True,
        "retry_delay_minutes": 60,
        "ddas_reached": True,
    },
    {
        "code": "verkeerd_persoon",
        "label": "Verkeerd persoon",
        "description": "Het nummer is niet van de inwoner: ander nummer of verrijken.",
        "aapor_class": "NE",
        "retire_number": True,
    },
    {
        "code": "informatietoon",
        "label": "Informatietoon",
        "description": "Nummer niet in gebruik: ander nummer of verrijken.",
        "aapor_class": "NE",
        "retire_number": True,
    },
    {
        "code": "foutieve_import",
        "label": "Foutieve import",
        "description": "Het dossier is onbruikbaar (gegevensfout). Beschrijf de fout.",
        "aapor_class": "O",
        "is_final": True,
        "needs_note": True,
    },
    {
        "code": "bereikt",
        "label": "Bereikt",
        "description": "De juiste persoon gesproken: hulpvraag of niet.",
        "aapor_class": "I",
        "contact_made": True,
        "right_party_contact": True,
        "is_final": True,
        "ddas_reached": True,
    },
]


def seed_outcome_codes(model) -> None:
    """Create the default codes that do not exist yet; never overwrite a supervisor's edits."""
    for position, fields in enumerate(OUTCOME_CODES, start=1):
        values = dict(fields)
        code = values.pop("code")
        model.objects.get_or_create(code=code, defaults={**values, "position": position})
