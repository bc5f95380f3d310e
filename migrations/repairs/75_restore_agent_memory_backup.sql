-- Puts the rows of agent_memory_backup back into agent_memory, with their ids, by column
-- name (the copy has the legacy column order and may lack columns; those stay NULL). Rows
-- whose id is taken were moved to the _unplaced table just before. Then the copy is dropped,
-- as every row of it is now in agent_memory or agent_memory_unplaced.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'agent_memory_backup')
-- before: 0013
-- moves: agent_memory_backup -> agent_memory, agent_memory_unplaced

INSERT INTO agent_memory ({{columns(agent_memory_backup, agent_memory)}})
SELECT {{columns(agent_memory_backup, agent_memory)}}
FROM agent_memory_backup AS b
WHERE NOT EXISTS (SELECT 1 FROM agent_memory AS m WHERE m.id = b.id)
ORDER BY b.id;

DROP TABLE agent_memory_backup;
