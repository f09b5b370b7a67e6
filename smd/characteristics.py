"""Protected characteristics, 2021 Census style (England and Wales).

Every list keeps "not asked / not known" apart from "prefer not to say": the first is a gap in
the record, the second is the person's answer.
"""

from django.db import models

NOT_KNOWN = "not_known"
PREFER_NOT = "prefer_not"
NOT_KNOWN_LABEL = "Not asked / not known"
PREFER_NOT_LABEL = "Prefer not to say"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Ethnicity(models.TextChoices):
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian/Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian/Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian/Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian/Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian/Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black/Black British/Caribbean/African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black/Black British/Caribbean/African: Caribbean"
    BLACK_OTHER = "black_other", "Black/Black British/Caribbean/African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other Mixed background"
    WHITE_BRITISH = (
        "white_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


ETHNICITY_HEADINGS = {
    "Asian or Asian British": ["asian_"],
    "Black, Black British, Caribbean or African": ["black_"],
    "Mixed or multiple ethnic groups": ["mixed_"],
    "White": ["white_"],
    "Other ethnic group": ["other_"],
}


def ethnicity_grouped_choices():
    """Choices for a <select> with the five Census headings as option groups."""
    groups = [("", [(NOT_KNOWN, NOT_KNOWN_LABEL), (PREFER_NOT, PREFER_NOT_LABEL)])]
    for heading, prefixes in ETHNICITY_HEADINGS.items():
        options = [
            (value, label.split(": ", 1)[1])
            for value, label in Ethnicity.choices
            if value.startswith(tuple(prefixes))
        ]
        groups.append((heading, options))
    return groups


def is_ethnic_minority(ethnicity):
    """The equity split: every recorded group except White British (White minorities included).

    None when not recorded or declined, so the split never guesses.
    """
    if ethnicity in {None, "", NOT_KNOWN, PREFER_NOT}:
        return None
    return ethnicity != Ethnicity.WHITE_BRITISH


class SexualOrientation(models.TextChoices):
    HETEROSEXUAL = "heterosexual", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Another sexual orientation"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL
