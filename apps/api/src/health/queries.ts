import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';

const DatabaseVersion = z.object({ version: z.string() });

export const readDatabaseVersion = (db: CommonQueryMethods) =>
  db.oneFirst(sql.type(DatabaseVersion)`/* health.version */ SELECT current_setting('server_version') AS version`);
