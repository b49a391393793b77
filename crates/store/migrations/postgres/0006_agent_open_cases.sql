-- Routing by load reads every agent's open cases (neither resolved nor closed) on each decision.
-- Counting them grew with the open cases; the count is now kept in the same transaction as every
-- change to a case's assignee or status, by a trigger, so reading it is one small table.
DROP INDEX cases_open_by_assignee;

CREATE TABLE agent_open_cases (
    agent_id BIGINT PRIMARY KEY REFERENCES agents (id),
    open_cases BIGINT NOT NULL
);

INSERT INTO agent_open_cases (agent_id, open_cases)
    SELECT assignee_id, COUNT(*) FROM cases
    WHERE assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed')
    GROUP BY assignee_id;

CREATE FUNCTION count_agent_open_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.assignee_id IS NOT NULL
       AND OLD.status NOT IN ('resolved', 'closed') THEN
        UPDATE agent_open_cases SET open_cases = open_cases - 1 WHERE agent_id = OLD.assignee_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.assignee_id IS NOT NULL
       AND NEW.status NOT IN ('resolved', 'closed') THEN
        INSERT INTO agent_open_cases (agent_id, open_cases) VALUES (NEW.assignee_id, 1)
            ON CONFLICT (agent_id)
            DO UPDATE SET open_cases = agent_open_cases.open_cases + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_open_count AFTER INSERT OR DELETE OR UPDATE OF assignee_id, status
    ON cases FOR EACH ROW EXECUTE FUNCTION count_agent_open_cases();
