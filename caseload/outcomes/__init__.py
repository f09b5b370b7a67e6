"""Support plans and outcomes: a person's goals in their own words, service use and crisis
events, accommodation over time, personal budgets and Outcomes Stars completed elsewhere.

The models live in caseload/models.py with the person they describe; this package holds their
reads (selectors), writes (services), forms and views, and the figures the quarterly return
reuses (selectors.event_comparison, accommodation_on, outcomes_star_count).
"""
