/**
 * The Slonik pool. Rows are validated against the zod schema of their query (`sql.type(Row)`), so
 * a query whose columns drift from its type fails loudly instead of sending wrong data.
 */
import { createPgDriverFactory } from '@slonik/pg-driver';
import { createPool, type DatabasePool, type Interceptor, SchemaValidationError } from 'slonik';

const rowValidation: Interceptor = {
  name: 'row-validation',
  transformRowAsync: async (context, query, row) => {
    if (!context.resultParser) return row;
    const result = await context.resultParser['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
  },
};

export async function createDatabasePool(
  url: string,
  options: { maximumPoolSize?: number } = {},
): Promise<DatabasePool> {
  return createPool(url, {
    driverFactory: createPgDriverFactory(),
    interceptors: [rowValidation],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    connectionTimeout: 5_000,
    statementTimeout: 30_000,
  });
}
