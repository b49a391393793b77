-- Routing by load counts each agent's open cases on every review of an unassigned case: this
-- index holds only open, assigned cases, so the count does not grow with the closed ones.
CREATE INDEX cases_open_by_assignee ON cases (assignee_id)
    WHERE assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed');
