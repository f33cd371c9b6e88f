/** "50%_off" matches literally: LIKE's wildcards and its escape character are escaped. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;
