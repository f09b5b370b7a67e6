from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The caseload's own timeline sources and home page figure; the apps above it register
        # theirs in their own ready(), since the caseload never imports them.
        from caseload import capacity_cache, notifications, selectors, timeline
        from caseload.outcomes import selectors as outcomes_selectors
        from caseload.outcomes import timeline as outcomes_timeline
        from smd import home

        notifications.register()
        timeline.register_caseload_sources()
        outcomes_timeline.register()
        selectors.register_person_annotations(selectors.last_contact_annotations, once=True)
        selectors.register_person_annotations(
            outcomes_selectors.person_outcome_annotations, once=True
        )
        home.register(selectors.home_figures)
        # Team capacity's cached totals are computed again after what they count changes.
        capacity_cache.connect()

        # The person, and the records about them: read by record history, exports and erasure.
        from caseload.models import (
            AccommodationChange,
            Allocation,
            BudgetSpend,
            Contact,
            ContactVersion,
            Episode,
            EpisodeStatusChange,
            Goal,
            GoalReview,
            OutcomesStarRecord,
            Person,
            PersonalBudget,
            PersonAlias,
            ServiceEvent,
        )
        from smd import person_records

        person_records.register_person(
            Person, visible_to=lambda user: Person.objects.visible_to(user)
        )
        person_records.register(PersonAlias, path="person")
        person_records.register(Episode, path="person")
        person_records.register(EpisodeStatusChange, path="episode__person")
        person_records.register(Allocation, path="episode__person")
        person_records.register(Contact, path="person")
        person_records.register(ContactVersion, path="contact__person")
        person_records.register(Goal, path="person")
        person_records.register(GoalReview, path="goal__person")
        person_records.register(ServiceEvent, path="person")
        person_records.register(AccommodationChange, path="person")
        person_records.register(PersonalBudget, path="person")
        person_records.register(BudgetSpend, path="budget__person")
        person_records.register(OutcomesStarRecord, path="person")
