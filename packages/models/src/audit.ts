// @mini-crm/models: the audit domain's input schemas (filled in by the audit work).
export {};
