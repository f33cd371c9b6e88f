// @mini-crm/models: the tasks domain's input schemas (filled in by the tasks work).
export {};
