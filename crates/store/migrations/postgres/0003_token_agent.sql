-- API tokens name the agent they belong to (issue: staff notifications are addressed to
-- `agent:<id>`, so a token must know its agent to see them). PostgreSQL dialect; keep in step
-- with ../sqlite/0003_token_agent.sql: a test compares the two. Existing tokens stay unlinked.
ALTER TABLE api_tokens ADD COLUMN agent_id BIGINT REFERENCES agents (id);
