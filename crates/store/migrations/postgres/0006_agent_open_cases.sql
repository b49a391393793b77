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
DECLARE
    -- The agent whose open case this was before the change, and after it (NULL: none).
    holder_before BIGINT;
    holder_after BIGINT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.assignee_id IS NOT NULL
       AND OLD.status NOT IN ('resolved', 'closed') THEN
        holder_before := OLD.assignee_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.assignee_id IS NOT NULL
       AND NEW.status NOT IN ('resolved', 'closed') THEN
        holder_after := NEW.assignee_id;
    END IF;
    -- Most updates change neither: no count row is touched, so no lock is taken.
    IF holder_before IS NOT DISTINCT FROM holder_after THEN
        RETURN NULL;
    END IF;
    -- Both rows locked in id order, so two opposite transfers cannot deadlock.
    PERFORM 1 FROM agent_open_cases WHERE agent_id IN (holder_before, holder_after)
        ORDER BY agent_id FOR UPDATE;
    IF holder_before IS NOT NULL THEN
        UPDATE agent_open_cases SET open_cases = open_cases - 1 WHERE agent_id = holder_before;
    END IF;
    IF holder_after IS NOT NULL THEN
        INSERT INTO agent_open_cases (agent_id, open_cases) VALUES (holder_after, 1)
            ON CONFLICT (agent_id)
            DO UPDATE SET open_cases = agent_open_cases.open_cases + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_open_count AFTER INSERT OR DELETE OR UPDATE OF assignee_id, status
    ON cases FOR EACH ROW EXECUTE FUNCTION count_agent_open_cases();
