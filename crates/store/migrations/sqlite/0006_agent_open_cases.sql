-- Routing by load reads every agent's open cases (neither resolved nor closed) on each decision.
-- Counting them grew with the open cases; the count is now kept in the same transaction as every
-- change to a case's assignee or status, by triggers, so reading it is one small table.
DROP INDEX cases_open_by_assignee;

CREATE TABLE agent_open_cases (
    agent_id BIGINT PRIMARY KEY REFERENCES agents (id),
    open_cases BIGINT NOT NULL
);

INSERT INTO agent_open_cases (agent_id, open_cases)
    SELECT assignee_id, COUNT(*) FROM cases
    WHERE assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed')
    GROUP BY assignee_id;

CREATE TRIGGER cases_open_count_insert AFTER INSERT ON cases
    WHEN NEW.assignee_id IS NOT NULL AND NEW.status NOT IN ('resolved', 'closed')
BEGIN
    INSERT INTO agent_open_cases (agent_id, open_cases) VALUES (NEW.assignee_id, 1)
        ON CONFLICT (agent_id) DO UPDATE SET open_cases = open_cases + 1;
END;

-- Only when the case changes holder or opens/closes: most updates leave the counts alone.
CREATE TRIGGER cases_open_count_update AFTER UPDATE OF assignee_id, status ON cases
    WHEN OLD.assignee_id IS NOT NEW.assignee_id
        OR (OLD.status IN ('resolved', 'closed')) <> (NEW.status IN ('resolved', 'closed'))
BEGIN
    UPDATE agent_open_cases SET open_cases = open_cases - 1
        WHERE agent_id = OLD.assignee_id AND OLD.status NOT IN ('resolved', 'closed');
    INSERT INTO agent_open_cases (agent_id, open_cases)
        SELECT NEW.assignee_id, 1
        WHERE NEW.assignee_id IS NOT NULL AND NEW.status NOT IN ('resolved', 'closed')
        ON CONFLICT (agent_id) DO UPDATE SET open_cases = open_cases + 1;
END;

CREATE TRIGGER cases_open_count_delete AFTER DELETE ON cases
    WHEN OLD.assignee_id IS NOT NULL AND OLD.status NOT IN ('resolved', 'closed')
BEGIN
    UPDATE agent_open_cases SET open_cases = open_cases - 1 WHERE agent_id = OLD.assignee_id;
END;
