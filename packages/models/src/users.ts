// @mini-crm/models: the users domain's input schemas (filled in by the users work).
export {};
