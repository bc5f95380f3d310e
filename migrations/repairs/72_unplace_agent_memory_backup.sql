-- Moves the rows of agent_memory_backup that cannot go back into agent_memory (see
-- unplaced_reason, filled by 70_prepare_agent_memory_backup) to agent_memory_unplaced, with
-- all their columns and the reason.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'sqlmig:unplaced:agent_memory')
-- before: 0013
-- reason: Memory rows that cannot be placed (agent gone, id taken) are kept in agent_memory_unplaced.
-- moves: agent_memory_backup -> agent_memory, agent_memory_unplaced

CREATE TABLE IF NOT EXISTS agent_memory_unplaced AS
SELECT * FROM agent_memory_backup WHERE 0;

INSERT INTO agent_memory_unplaced ({{columns(agent_memory_backup, agent_memory_unplaced)}})
SELECT {{columns(agent_memory_backup, agent_memory_unplaced)}}
FROM agent_memory_backup
WHERE unplaced_reason IS NOT NULL
ORDER BY id;

DELETE FROM agent_memory_backup WHERE unplaced_reason IS NOT NULL;

DELETE FROM sqlite_sequence WHERE name = 'sqlmig:unplaced:agent_memory';
