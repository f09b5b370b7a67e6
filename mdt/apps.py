from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "mdt"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caseload import timeline
        from mdt.models import Action, AgendaItem, MdtMeeting, MdtReferral

        timeline.register_group("mdt", "MDT")
        timeline.register(
            timeline.Source(
                kind="mdt_referral",
                group="mdt",
                template="mdt/timeline/referral.html",
                records=lambda person, user: MdtReferral.objects.filter(person=person),
                at="created_at",
                eager=lambda qs: qs.select_related("referring_organisation", "referred_by"),
            )
        )
        timeline.register(
            timeline.Source(
                kind="mdt_discussion",
                group="mdt",
                template="mdt/timeline/discussion.html",
                records=lambda person, user: AgendaItem.objects.filter(
                    person=person, meeting__status=MdtMeeting.Status.HELD
                ),
                at="meeting__starts_at",
                eager=lambda qs: qs.select_related("meeting"),
            )
        )
        timeline.register(
            timeline.Source(
                kind="mdt_action",
                group="mdt",
                template="mdt/timeline/action.html",
                records=lambda person, user: Action.objects.filter(person=person),
                at="created_at",
                eager=lambda qs: qs.select_related("owner", "owner_organisation"),
            )
        )

        # Records about a person: read by record history, exports and erasure.
        from smd import person_records

        person_records.register(MdtReferral, path="person")
        person_records.register(AgendaItem, path="person")
        person_records.register(Action, path="person")
