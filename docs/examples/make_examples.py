"""Writes the example import files in this folder from one set of rows, so the CSV files and
the workbook say the same: `python docs/examples/make_examples.py`."""

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

# The rows as a table, one line per row as near as fits: easier to read than one cell a line.
# fmt: off
SHEETS = {
    "people": [
        ["source_id", "first_name", "last_name", "known_as", "aliases", "date_of_birth",
         "approximate_age", "approximate_age_recorded_on", "nhs_number", "phone", "safe_to_text",
         "safe_to_leave_voicemail", "contact_notes", "gender", "gender_same_as_sex_at_birth",
         "ethnicity", "sexual_orientation", "religion", "disability", "preferred_language",
         "interpreter_needed", "worker_gender_preference", "wants_lived_experience",
         "allocation_notes", "risk_flags"],
        ["P-1001", "Morgan", "Ashdown", "Mo", "Morgan Hale", "1984-03-12", "", "", "", "07700 900123",
         "yes", "no", "Text first; not before 10am.", "woman", "yes", "white_british",
         "not_known", "not_known", "yes", "English", "no", "woman", "yes", "",
         "self_harm; visit_in_pairs"],
        ["P-1002", "Tomasz", "Wierzbicki", "", "", "", "41", "2023-06-01", "", "", "not_known",
         "not_known", "Usually at the day centre on Tuesdays.", "man", "not_known",
         "white_other", "not_known", "not_known", "not_known", "Polish", "yes", "", "no", "",
         ""],
    ],
    "episodes": [
        ["source_id", "person_source_id", "status", "accepted_on", "start_date", "end_date",
         "exit_destination", "ending_planned", "closing_note"],
        ["E-501", "P-1001", "closed", "2022-01-10", "2022-01-17", "2023-02-28",
         "other_support", "yes", "Moved on to the recovery service."],
        ["E-502", "P-1001", "active", "2024-05-02", "2024-05-09", "", "", "", ""],
        ["E-503", "P-1002", "active", "2023-06-01", "2023-06-05", "", "", "", ""],
    ],
    "referrals": [
        ["source_id", "person_source_id", "episode_source_id", "received_at", "channel",
         "status", "consent", "homelessness", "mental_health", "substance_misuse", "offending",
         "domestic_abuse", "is_self_referral", "referrer_organisation", "decision",
         "decided_at", "decided_by", "reason", "signposted_to"],
        ["R-71", "P-1001", "E-502", "2024-04-22 14:10", "public_form", "", "yes", "yes", "yes",
         "no", "no", "yes", "no", "Women's Aid", "eligible", "2024-04-29 11:00", "navigator",
         "", ""],
        ["R-72", "P-1002", "E-503", "2023-05-24", "staff", "", "yes", "yes", "no", "yes",
         "no", "no", "yes", "", "discretion", "2023-05-30", "",
         "Rough sleeping with a drinking problem and no other support.", ""],
    ],
    "allocations": [
        ["source_id", "person_source_id", "episode_source_id", "worker", "kind", "started_at",
         "ended_at", "reason", "end_reason"],
        ["A-71", "P-1001", "E-501", "navigator", "lead_navigator", "2022-01-17 09:00",
         "2023-02-28 17:00", "Women's specialist navigator", "Support ended"],
        ["A-72", "P-1001", "E-502", "navigator", "lead_navigator", "2024-05-09 09:00", "",
         "Knew her from before", ""],
        ["A-73", "P-1002", "E-503", "navigator", "lead_navigator", "2023-06-05 09:00", "", "", ""],
    ],
    "assessments": [
        ["source_id", "person_source_id", "episode_source_id", "scheme", "scheme_version",
         "assessed_on", "assessor", "participation", "engagement", "intentional_self_harm",
         "unintentional_self_harm", "risk_to_others", "risk_from_others", "stress_anxiety",
         "social_effectiveness", "substance_misuse", "impulse_control", "housing",
         "cultural_gender_reluctance", "social_withdrawal", "domestic_abuse", "isolation"],
        ["N-9001", "P-1001", "E-502", "ndt-standard", "1", "2024-05-20", "navigator", "yes",
         "3", "2", "3", "1", "3", "3", "2", "3", "2", "4", "", "", "", ""],
        ["N-9002", "P-1001", "E-502", "ndt-standard", "1", "2024-08-21", "navigator", "yes",
         "2", "1", "2", "1", "2", "2", "2", "2", "1", "2", "", "", "", ""],
        ["N-9003", "P-1002", "E-503", "ndt-amended", "1", "2023-06-20", "", "partly",
         "3", "0", "3", "2", "2", "3", "3", "4", "3", "4", "3", "2", "0", "4"],
    ],
    "contacts": [
        ["source_id", "person_source_id", "episode_source_id", "author", "occurred_at", "kind",
         "duration_minutes", "with_person", "summary", "topics", "follow_up_action",
         "follow_up_due"],
        ["C-1", "P-1001", "E-502", "navigator", "2024-05-09 10:30", "face_to_face", "60", "yes",
         "First meeting at the café; talked about what she wants from support.",
         "housing; mental_health", "Ask the GP about a review", "2024-05-16"],
        ["C-2", "P-1001", "E-502", "", "2024-05-14 15:00", "phone", "15", "yes",
         "Checked in after the housing appointment.", "housing", "", ""],
        ["C-3", "P-1002", "E-503", "navigator", "2023-06-07 11:00", "outreach", "45", "yes",
         "Met at the day centre with the interpreter.", "health", "", ""],
    ],
    "events": [
        ["source_id", "person_source_id", "episode_source_id", "kind", "occurred_on", "quantity",
         "source", "note", "recorded_by"],
        ["V-1", "P-1001", "E-502", "ae_attendance", "2024-06-02", "1", "self_reported", "", ""],
        ["V-2", "P-1002", "E-503", "rough_sleeping", "2023-06-10", "4", "staff_observed",
         "Behind the station", "navigator"],
    ],
    "accommodation": [
        ["source_id", "person_source_id", "status", "from_date", "note", "recorded_by"],
        ["H-1", "P-1001", "hostel", "2024-04-01", "", ""],
        ["H-2", "P-1002", "rough_sleeping", "2023-05-20", "", "navigator"],
        ["H-3", "P-1002", "temporary", "2023-07-03", "B&B on Mill Road", "navigator"],
    ],
}
# fmt: on


def main():
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in SHEETS.items():
        with (HERE / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(HERE / "records.xlsx")


if __name__ == "__main__":
    main()
