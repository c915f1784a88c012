/** Projects: the top-level folder a user works in (datasets, runs and reports belong to one). */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export interface ProjectRow {
  id: number;
  name: string;
  description: string;
  createdAt: string;
}

const columns = 'id, name, description, created_at AS createdAt';

export class ProjectsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  create(name: string, description = ''): ProjectRow {
    const createdAt = new Date().toISOString();
    const result = this.db
      .prepare('INSERT INTO projects (name, description, created_at) VALUES (?, ?, ?)')
      .run(name, description, createdAt);
    return { id: Number(result.lastInsertRowid), name, description, createdAt };
  }

  /** The project with this name, created if it does not exist yet. */
  ensure(name: string): ProjectRow {
    return this.getByName(name) ?? this.create(name);
  }

  getByName(name: string): ProjectRow | undefined {
    return this.db.prepare(`SELECT ${columns} FROM projects WHERE name = ?`).get(name) as
      ProjectRow | undefined;
  }

  get(id: number): ProjectRow | undefined {
    return this.db.prepare(`SELECT ${columns} FROM projects WHERE id = ?`).get(id) as ProjectRow | undefined;
  }

  /** A new name (unique among projects); datasets, runs and reports stay in the project. */
  rename(id: number, name: string): ProjectRow | undefined {
    this.db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  list(): ProjectRow[] {
    return this.db.prepare(`SELECT ${columns} FROM projects ORDER BY name`).all() as ProjectRow[];
  }
}
