export namespace api {
	
	export class SenderDTO {
	    kind: string;
	    domain: string;
	    region: string;
	    stream: string;
	
	    static createFrom(source: any = {}) {
	        return new SenderDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.domain = source["domain"];
	        this.region = source["region"];
	        this.stream = source["stream"];
	    }
	}
	export class ServerDTO {
	    host: string;
	    port: number;
	    security: string;
	    username: string;
	
	    static createFrom(source: any = {}) {
	        return new ServerDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.host = source["host"];
	        this.port = source["port"];
	        this.security = source["security"];
	        this.username = source["username"];
	    }
	}
	export class AccountDTO {
	    id: number;
	    name: string;
	    email: string;
	    fromName: string;
	    provider: string;
	    settingsSource: string;
	    imap: ServerDTO;
	    smtp: ServerDTO;
	    sender: SenderDTO;
	    sendOnly: boolean;
	    auth: string;
	    oauthProvider: string;
	    signInExpiresAt: string;
	    status: string;
	    needsSignIn: boolean;
	    statusCode: string;
	    lastCheck: string;
	    disabled: boolean;
	    createdAt: string;
	    users: number[];
	
	    static createFrom(source: any = {}) {
	        return new AccountDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.email = source["email"];
	        this.fromName = source["fromName"];
	        this.provider = source["provider"];
	        this.settingsSource = source["settingsSource"];
	        this.imap = this.convertValues(source["imap"], ServerDTO);
	        this.smtp = this.convertValues(source["smtp"], ServerDTO);
	        this.sender = this.convertValues(source["sender"], SenderDTO);
	        this.sendOnly = source["sendOnly"];
	        this.auth = source["auth"];
	        this.oauthProvider = source["oauthProvider"];
	        this.signInExpiresAt = source["signInExpiresAt"];
	        this.status = source["status"];
	        this.needsSignIn = source["needsSignIn"];
	        this.statusCode = source["statusCode"];
	        this.lastCheck = source["lastCheck"];
	        this.disabled = source["disabled"];
	        this.createdAt = source["createdAt"];
	        this.users = source["users"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AccountInput {
	    name: string;
	    email: string;
	    fromName: string;
	    provider: string;
	    settingsSource: string;
	    imap: ServerDTO;
	    smtp: ServerDTO;
	    sender: SenderDTO;
	    auth: string;
	    oauthProvider: string;
	    signInId: string;
	
	    static createFrom(source: any = {}) {
	        return new AccountInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	        this.fromName = source["fromName"];
	        this.provider = source["provider"];
	        this.settingsSource = source["settingsSource"];
	        this.imap = this.convertValues(source["imap"], ServerDTO);
	        this.smtp = this.convertValues(source["smtp"], ServerDTO);
	        this.sender = this.convertValues(source["sender"], SenderDTO);
	        this.auth = source["auth"];
	        this.oauthProvider = source["oauthProvider"];
	        this.signInId = source["signInId"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AddressDTO {
	    name: string;
	    email: string;
	
	    static createFrom(source: any = {}) {
	        return new AddressDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	    }
	}
	export class AttachmentDTO {
	    partPath: string;
	    filename: string;
	    contentType: string;
	    size: number;
	    inline: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AttachmentDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.partPath = source["partPath"];
	        this.filename = source["filename"];
	        this.contentType = source["contentType"];
	        this.size = source["size"];
	        this.inline = source["inline"];
	    }
	}
	export class ErrorDTO {
	    code: string;
	    reason: string;
	    params?: {[key: string]: any};
	    class: string;
	    field?: string;
	    detail?: string;
	
	    static createFrom(source: any = {}) {
	        return new ErrorDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.reason = source["reason"];
	        this.params = source["params"];
	        this.class = source["class"];
	        this.field = source["field"];
	        this.detail = source["detail"];
	    }
	}
	export class AttemptDTO {
	    source: string;
	    origin: {[key: string]: string};
	    host: string;
	    port: number;
	    error?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new AttemptDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.source = source["source"];
	        this.origin = source["origin"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.error = this.convertValues(source["error"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FilterDTO {
	    field: string;
	    op: string;
	    value: any;
	
	    static createFrom(source: any = {}) {
	        return new FilterDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.field = source["field"];
	        this.op = source["op"];
	        this.value = source["value"];
	    }
	}
	export class AutomationDTO {
	    id: number;
	    name: string;
	    typeId: number;
	    trigger: string;
	    fieldKey: string;
	    offsetDays: number;
	    value: any;
	    conditions: FilterDTO[];
	    templateId: number;
	    recipientField: string;
	    recipientRole: string;
	    accountId: number;
	    hour: number;
	    timezone: string;
	    threshold: number;
	    enabled: boolean;
	    pending: number;
	    // Go type: time
	    lastRunAt?: any;
	    // Go type: time
	    updatedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new AutomationDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.typeId = source["typeId"];
	        this.trigger = source["trigger"];
	        this.fieldKey = source["fieldKey"];
	        this.offsetDays = source["offsetDays"];
	        this.value = source["value"];
	        this.conditions = this.convertValues(source["conditions"], FilterDTO);
	        this.templateId = source["templateId"];
	        this.recipientField = source["recipientField"];
	        this.recipientRole = source["recipientRole"];
	        this.accountId = source["accountId"];
	        this.hour = source["hour"];
	        this.timezone = source["timezone"];
	        this.threshold = source["threshold"];
	        this.enabled = source["enabled"];
	        this.pending = source["pending"];
	        this.lastRunAt = this.convertValues(source["lastRunAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AutomationOutcomeDTO {
	    recordId: number;
	    title: string;
	    value: string;
	    name: string;
	    email: string;
	    subject: string;
	    pending: boolean;
	    problem?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new AutomationOutcomeDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recordId = source["recordId"];
	        this.title = source["title"];
	        this.value = source["value"];
	        this.name = source["name"];
	        this.email = source["email"];
	        this.subject = source["subject"];
	        this.pending = source["pending"];
	        this.problem = this.convertValues(source["problem"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AutomationDryRunDTO {
	    total: number;
	    items: AutomationOutcomeDTO[];
	
	    static createFrom(source: any = {}) {
	        return new AutomationDryRunDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.items = this.convertValues(source["items"], AutomationOutcomeDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AutomationEntryDTO {
	    automationId: number;
	    automationName: string;
	    recordId: number;
	    title: string;
	    value: string;
	    state: string;
	    recipient: string;
	    outboxId: number;
	    outboxState: string;
	    subject: string;
	    problem?: ErrorDTO;
	    // Go type: time
	    at: any;
	
	    static createFrom(source: any = {}) {
	        return new AutomationEntryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.automationId = source["automationId"];
	        this.automationName = source["automationName"];
	        this.recordId = source["recordId"];
	        this.title = source["title"];
	        this.value = source["value"];
	        this.state = source["state"];
	        this.recipient = source["recipient"];
	        this.outboxId = source["outboxId"];
	        this.outboxState = source["outboxState"];
	        this.subject = source["subject"];
	        this.problem = this.convertValues(source["problem"], ErrorDTO);
	        this.at = this.convertValues(source["at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class AutomationInputDTO {
	    id: number;
	    name: string;
	    typeId: number;
	    trigger: string;
	    fieldKey: string;
	    offsetDays: number;
	    value: any;
	    conditions: FilterDTO[];
	    templateId: number;
	    recipientField: string;
	    recipientRole: string;
	    accountId: number;
	    hour: number;
	    timezone: string;
	    threshold: number;
	    enabled: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AutomationInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.typeId = source["typeId"];
	        this.trigger = source["trigger"];
	        this.fieldKey = source["fieldKey"];
	        this.offsetDays = source["offsetDays"];
	        this.value = source["value"];
	        this.conditions = this.convertValues(source["conditions"], FilterDTO);
	        this.templateId = source["templateId"];
	        this.recipientField = source["recipientField"];
	        this.recipientRole = source["recipientRole"];
	        this.accountId = source["accountId"];
	        this.hour = source["hour"];
	        this.timezone = source["timezone"];
	        this.threshold = source["threshold"];
	        this.enabled = source["enabled"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class AutomationRunDTO {
	    due: number;
	    queued: number;
	    blocked: number;
	    pending: number;
	
	    static createFrom(source: any = {}) {
	        return new AutomationRunDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.due = source["due"];
	        this.queued = source["queued"];
	        this.blocked = source["blocked"];
	        this.pending = source["pending"];
	    }
	}
	export class LinkRefDTO {
	    id: number;
	    typeId: number;
	    title: string;
	
	    static createFrom(source: any = {}) {
	        return new LinkRefDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.title = source["title"];
	    }
	}
	export class BacklinksDTO {
	    fieldId: number;
	    typeId: number;
	    records: LinkRefDTO[];
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new BacklinksDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fieldId = source["fieldId"];
	        this.typeId = source["typeId"];
	        this.records = this.convertValues(source["records"], LinkRefDTO);
	        this.total = source["total"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BackupFileDTO {
	    path: string;
	    name: string;
	    size: number;
	    modifiedAt: string;
	    automatic: boolean;
	
	    static createFrom(source: any = {}) {
	        return new BackupFileDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.name = source["name"];
	        this.size = source["size"];
	        this.modifiedAt = source["modifiedAt"];
	        this.automatic = source["automatic"];
	    }
	}
	export class BackupInfoDTO {
	    path: string;
	    name: string;
	    size: number;
	    createdAt: string;
	    appVersion: string;
	    schema: number;
	    withMail: boolean;
	    automatic: boolean;
	
	    static createFrom(source: any = {}) {
	        return new BackupInfoDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.name = source["name"];
	        this.size = source["size"];
	        this.createdAt = source["createdAt"];
	        this.appVersion = source["appVersion"];
	        this.schema = source["schema"];
	        this.withMail = source["withMail"];
	        this.automatic = source["automatic"];
	    }
	}
	export class BackupSettingsDTO {
	    enabled: boolean;
	    folder: string;
	    keep: number;
	    withMail: boolean;
	    lastAt: string;
	    lastError: string;
	    lastFile: string;
	    nextAt: string;
	    maxKeep: number;
	
	    static createFrom(source: any = {}) {
	        return new BackupSettingsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.folder = source["folder"];
	        this.keep = source["keep"];
	        this.withMail = source["withMail"];
	        this.lastAt = source["lastAt"];
	        this.lastError = source["lastError"];
	        this.lastFile = source["lastFile"];
	        this.nextAt = source["nextAt"];
	        this.maxKeep = source["maxKeep"];
	    }
	}
	export class BackupSettingsInput {
	    enabled: boolean;
	    folder: string;
	    keep: number;
	    withMail: boolean;
	
	    static createFrom(source: any = {}) {
	        return new BackupSettingsInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.folder = source["folder"];
	        this.keep = source["keep"];
	        this.withMail = source["withMail"];
	    }
	}
	export class SortDTO {
	    field: string;
	    desc: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SortDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.field = source["field"];
	        this.desc = source["desc"];
	    }
	}
	export class RecordQueryDTO {
	    typeId: number;
	    search: string;
	    sort: SortDTO;
	    filters: FilterDTO[];
	    columns: string[];
	    cursor: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new RecordQueryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.typeId = source["typeId"];
	        this.search = source["search"];
	        this.sort = this.convertValues(source["sort"], SortDTO);
	        this.filters = this.convertValues(source["filters"], FilterDTO);
	        this.columns = source["columns"];
	        this.cursor = source["cursor"];
	        this.limit = source["limit"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkInputDTO {
	    accountId: number;
	    templateId: number;
	    list: RecordQueryDTO;
	
	    static createFrom(source: any = {}) {
	        return new BulkInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.templateId = source["templateId"];
	        this.list = this.convertValues(source["list"], RecordQueryDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkLimitDTO {
	    perDay: number;
	    default: number;
	    source: string;
	    edited: boolean;
	    max: number;
	
	    static createFrom(source: any = {}) {
	        return new BulkLimitDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.perDay = source["perDay"];
	        this.default = source["default"];
	        this.source = source["source"];
	        this.edited = source["edited"];
	        this.max = source["max"];
	    }
	}
	export class BulkRecipientDTO {
	    recordId: number;
	    title: string;
	    email: string;
	    name: string;
	    reason: string;
	    missing: string[];
	    notBefore: string;
	
	    static createFrom(source: any = {}) {
	        return new BulkRecipientDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recordId = source["recordId"];
	        this.title = source["title"];
	        this.email = source["email"];
	        this.name = source["name"];
	        this.reason = source["reason"];
	        this.missing = source["missing"];
	        this.notBefore = source["notBefore"];
	    }
	}
	export class BulkPlanDTO {
	    total: number;
	    sendable: BulkRecipientDTO[];
	    excluded: BulkRecipientDTO[];
	    perDay: number;
	    usedToday: number;
	    lastSend: string;
	    days: number;
	
	    static createFrom(source: any = {}) {
	        return new BulkPlanDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.sendable = this.convertValues(source["sendable"], BulkRecipientDTO);
	        this.excluded = this.convertValues(source["excluded"], BulkRecipientDTO);
	        this.perDay = source["perDay"];
	        this.usedToday = source["usedToday"];
	        this.lastSend = source["lastSend"];
	        this.days = source["days"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkPreviewDTO {
	    recordId: number;
	    to: string;
	    subject: string;
	    document: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new BulkPreviewDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recordId = source["recordId"];
	        this.to = source["to"];
	        this.subject = source["subject"];
	        this.document = source["document"];
	        this.text = source["text"];
	    }
	}
	export class BulkProgressDTO {
	    id: number;
	    accountId: number;
	    templateId: number;
	    typeId: number;
	    name: string;
	    state: string;
	    total: number;
	    skipped: number;
	    waiting: number;
	    queued: number;
	    sent: number;
	    failed: number;
	    cancelled: number;
	    perDay: number;
	    lastSend: string;
	    createdAt: string;
	
	    static createFrom(source: any = {}) {
	        return new BulkProgressDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.templateId = source["templateId"];
	        this.typeId = source["typeId"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.total = source["total"];
	        this.skipped = source["skipped"];
	        this.waiting = source["waiting"];
	        this.queued = source["queued"];
	        this.sent = source["sent"];
	        this.failed = source["failed"];
	        this.cancelled = source["cancelled"];
	        this.perDay = source["perDay"];
	        this.lastSend = source["lastSend"];
	        this.createdAt = source["createdAt"];
	    }
	}
	
	export class BulkUnsubscribeDTO {
	    contactId: number;
	    name: string;
	    email: string;
	
	    static createFrom(source: any = {}) {
	        return new BulkUnsubscribeDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.contactId = source["contactId"];
	        this.name = source["name"];
	        this.email = source["email"];
	    }
	}
	export class DNSRecordDTO {
	    name: string;
	    type: string;
	    value: string;
	    replaces: string[];
	    placeholder: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DNSRecordDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.type = source["type"];
	        this.value = source["value"];
	        this.replaces = source["replaces"];
	        this.placeholder = source["placeholder"];
	    }
	}
	export class FindingDTO {
	    check: string;
	    code: string;
	    severity: string;
	    params: {[key: string]: any};
	    fix?: DNSRecordDTO;
	
	    static createFrom(source: any = {}) {
	        return new FindingDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.check = source["check"];
	        this.code = source["code"];
	        this.severity = source["severity"];
	        this.params = source["params"];
	        this.fix = this.convertValues(source["fix"], DNSRecordDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DeliverabilityDTO {
	    accountId: number;
	    domain: string;
	    path: string;
	    selectors: string[];
	    checkedAt: string;
	    worst: string;
	    stale: boolean;
	    findings: FindingDTO[];
	
	    static createFrom(source: any = {}) {
	        return new DeliverabilityDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.domain = source["domain"];
	        this.path = source["path"];
	        this.selectors = source["selectors"];
	        this.checkedAt = source["checkedAt"];
	        this.worst = source["worst"];
	        this.stale = source["stale"];
	        this.findings = this.convertValues(source["findings"], FindingDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkWarningDTO {
	    show: boolean;
	    checked: boolean;
	    report?: DeliverabilityDTO;
	    acknowledgedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new BulkWarningDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.show = source["show"];
	        this.checked = source["checked"];
	        this.report = this.convertValues(source["report"], DeliverabilityDTO);
	        this.acknowledgedAt = source["acknowledgedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ButtonDTO {
	    id: number;
	    typeId: number;
	    label: string;
	    sentLabel: string;
	    templateId: number;
	    accountId: number;
	    recipients: string;
	    position: number;
	
	    static createFrom(source: any = {}) {
	        return new ButtonDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.label = source["label"];
	        this.sentLabel = source["sentLabel"];
	        this.templateId = source["templateId"];
	        this.accountId = source["accountId"];
	        this.recipients = source["recipients"];
	        this.position = source["position"];
	    }
	}
	export class ButtonMailDTO {
	    buttonId: number;
	    recordId: number;
	    accountId: number;
	    office: boolean;
	    to: AddressDTO[];
	    subject: string;
	    html: string;
	    text: string;
	    attachments: string[];
	
	    static createFrom(source: any = {}) {
	        return new ButtonMailDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.buttonId = source["buttonId"];
	        this.recordId = source["recordId"];
	        this.accountId = source["accountId"];
	        this.office = source["office"];
	        this.to = this.convertValues(source["to"], AddressDTO);
	        this.subject = source["subject"];
	        this.html = source["html"];
	        this.text = source["text"];
	        this.attachments = source["attachments"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SendInput {
	    accountId: number;
	    to: AddressDTO[];
	    cc: AddressDTO[];
	    bcc: AddressDTO[];
	    subject: string;
	    text: string;
	    quotedHtml: string;
	    quotedText: string;
	    inReplyTo: string;
	    references: string[];
	    signatureId: number;
	
	    static createFrom(source: any = {}) {
	        return new SendInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.to = this.convertValues(source["to"], AddressDTO);
	        this.cc = this.convertValues(source["cc"], AddressDTO);
	        this.bcc = this.convertValues(source["bcc"], AddressDTO);
	        this.subject = source["subject"];
	        this.text = source["text"];
	        this.quotedHtml = source["quotedHtml"];
	        this.quotedText = source["quotedText"];
	        this.inReplyTo = source["inReplyTo"];
	        this.references = source["references"];
	        this.signatureId = source["signatureId"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ButtonSendDTO {
	    buttonId: number;
	    recordId: number;
	    mail: SendInput;
	    html: string;
	
	    static createFrom(source: any = {}) {
	        return new ButtonSendDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.buttonId = source["buttonId"];
	        this.recordId = source["recordId"];
	        this.mail = this.convertValues(source["mail"], SendInput);
	        this.html = source["html"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class NoteDTO {
	    code: string;
	    detail: string;
	    url: string;
	
	    static createFrom(source: any = {}) {
	        return new NoteDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.detail = source["detail"];
	        this.url = source["url"];
	    }
	}
	export class CandidateDTO {
	    imap: ServerDTO;
	    smtp: ServerDTO;
	    source: string;
	    origin: {[key: string]: string};
	    provider: string;
	    signIn: string;
	    signInOnly: boolean;
	    notes: NoteDTO[];
	
	    static createFrom(source: any = {}) {
	        return new CandidateDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.imap = this.convertValues(source["imap"], ServerDTO);
	        this.smtp = this.convertValues(source["smtp"], ServerDTO);
	        this.source = source["source"];
	        this.origin = source["origin"];
	        this.provider = source["provider"];
	        this.signIn = source["signIn"];
	        this.signInOnly = source["signInOnly"];
	        this.notes = this.convertValues(source["notes"], NoteDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CellErrorDTO {
	    column: number;
	    field: string;
	    error: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new CellErrorDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.column = source["column"];
	        this.field = source["field"];
	        this.error = this.convertValues(source["error"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CertDTO {
	    subject: string;
	    issuer: string;
	    dnsNames: string[];
	    notBefore: string;
	    notAfter: string;
	    sha256: string;
	
	    static createFrom(source: any = {}) {
	        return new CertDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.subject = source["subject"];
	        this.issuer = source["issuer"];
	        this.dnsNames = source["dnsNames"];
	        this.notBefore = source["notBefore"];
	        this.notAfter = source["notAfter"];
	        this.sha256 = source["sha256"];
	    }
	}
	export class ChoiceDTO {
	    id: number;
	    label: string;
	
	    static createFrom(source: any = {}) {
	        return new ChoiceDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	    }
	}
	export class ChoiceUsageDTO {
	    choiceId: number;
	    records: number;
	
	    static createFrom(source: any = {}) {
	        return new ChoiceUsageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.choiceId = source["choiceId"];
	        this.records = source["records"];
	    }
	}
	export class ComposeSignatureDTO {
	    id: number;
	    name: string;
	    document: string;
	
	    static createFrom(source: any = {}) {
	        return new ComposeSignatureDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.document = source["document"];
	    }
	}
	export class ComposeAccountDTO {
	    accountId: number;
	    default: boolean;
	    signatureId: number;
	    signatures: ComposeSignatureDTO[];
	
	    static createFrom(source: any = {}) {
	        return new ComposeAccountDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.default = source["default"];
	        this.signatureId = source["signatureId"];
	        this.signatures = this.convertValues(source["signatures"], ComposeSignatureDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class MailRowDTO {
	    id: number;
	    accountId: number;
	    folderId: number;
	    folderRole: string;
	    fromName: string;
	    fromEmail: string;
	    toName: string;
	    toEmail: string;
	    recipients: number;
	    subject: string;
	    snippet: string;
	    date: string;
	    seen: boolean;
	    flagged: boolean;
	    answered: boolean;
	    hasAttachments: boolean;
	    handled: boolean;
	    sharedFiled: boolean;
	
	    static createFrom(source: any = {}) {
	        return new MailRowDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.folderId = source["folderId"];
	        this.folderRole = source["folderRole"];
	        this.fromName = source["fromName"];
	        this.fromEmail = source["fromEmail"];
	        this.toName = source["toName"];
	        this.toEmail = source["toEmail"];
	        this.recipients = source["recipients"];
	        this.subject = source["subject"];
	        this.snippet = source["snippet"];
	        this.date = source["date"];
	        this.seen = source["seen"];
	        this.flagged = source["flagged"];
	        this.answered = source["answered"];
	        this.hasAttachments = source["hasAttachments"];
	        this.handled = source["handled"];
	        this.sharedFiled = source["sharedFiled"];
	    }
	}
	export class CorrespondentDTO {
	    email: string;
	    name: string;
	    domain: string;
	    freemail: boolean;
	    count: number;
	    latest: string;
	    messages: MailRowDTO[];
	
	    static createFrom(source: any = {}) {
	        return new CorrespondentDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.email = source["email"];
	        this.name = source["name"];
	        this.domain = source["domain"];
	        this.freemail = source["freemail"];
	        this.count = source["count"];
	        this.latest = source["latest"];
	        this.messages = this.convertValues(source["messages"], MailRowDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class DetectionDTO {
	    encoding: string;
	    bom: boolean;
	    separator: string;
	    headerRow: number;
	    layout: string;
	    dateOrder: string;
	    decimalComma: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DetectionDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.encoding = source["encoding"];
	        this.bom = source["bom"];
	        this.separator = source["separator"];
	        this.headerRow = source["headerRow"];
	        this.layout = source["layout"];
	        this.dateOrder = source["dateOrder"];
	        this.decimalComma = source["decimalComma"];
	    }
	}
	export class DisconnectDTO {
	    revoked: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DisconnectDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.revoked = source["revoked"];
	    }
	}
	export class DiscoveryDTO {
	    verified: boolean;
	    best?: CandidateDTO;
	    candidates: CandidateDTO[];
	    attempts: AttemptDTO[];
	    exchangeUrl: string;
	    authFailed: boolean;
	    failure?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new DiscoveryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.verified = source["verified"];
	        this.best = this.convertValues(source["best"], CandidateDTO);
	        this.candidates = this.convertValues(source["candidates"], CandidateDTO);
	        this.attempts = this.convertValues(source["attempts"], AttemptDTO);
	        this.exchangeUrl = source["exchangeUrl"];
	        this.authFailed = source["authFailed"];
	        this.failure = this.convertValues(source["failure"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DomainExceptionDTO {
	    domain: string;
	    free: boolean;
	    listed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DomainExceptionDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.domain = source["domain"];
	        this.free = source["free"];
	        this.listed = source["listed"];
	    }
	}
	export class DraftDTO {
	    accountId: number;
	    to: AddressDTO[];
	    cc: AddressDTO[];
	    subject: string;
	    text: string;
	    quotedHtml: string;
	    inReplyTo: string;
	    references: string[];
	
	    static createFrom(source: any = {}) {
	        return new DraftDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.to = this.convertValues(source["to"], AddressDTO);
	        this.cc = this.convertValues(source["cc"], AddressDTO);
	        this.subject = source["subject"];
	        this.text = source["text"];
	        this.quotedHtml = source["quotedHtml"];
	        this.inReplyTo = source["inReplyTo"];
	        this.references = source["references"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ExportDTO {
	    query: RecordQueryDTO;
	    format: string;
	
	    static createFrom(source: any = {}) {
	        return new ExportDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.query = this.convertValues(source["query"], RecordQueryDTO);
	        this.format = source["format"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FailureDTO {
	    code: string;
	    reason: string;
	    params: {[key: string]: any};
	    detail: string;
	    class: string;
	
	    static createFrom(source: any = {}) {
	        return new FailureDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.reason = source["reason"];
	        this.params = source["params"];
	        this.detail = source["detail"];
	        this.class = source["class"];
	    }
	}
	export class FieldDTO {
	    id: number;
	    typeId: number;
	    key: string;
	    label: string;
	    kind: string;
	    builtin: boolean;
	    multiple: boolean;
	    currency: string;
	    targetTypeId: number;
	    choices: ChoiceDTO[];
	
	    static createFrom(source: any = {}) {
	        return new FieldDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.key = source["key"];
	        this.label = source["label"];
	        this.kind = source["kind"];
	        this.builtin = source["builtin"];
	        this.multiple = source["multiple"];
	        this.currency = source["currency"];
	        this.targetTypeId = source["targetTypeId"];
	        this.choices = this.convertValues(source["choices"], ChoiceDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FieldInputDTO {
	    label: string;
	    kind: string;
	    multiple: boolean;
	    currency: string;
	    targetTypeId: number;
	    choices: ChoiceDTO[];
	
	    static createFrom(source: any = {}) {
	        return new FieldInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.label = source["label"];
	        this.kind = source["kind"];
	        this.multiple = source["multiple"];
	        this.currency = source["currency"];
	        this.targetTypeId = source["targetTypeId"];
	        this.choices = this.convertValues(source["choices"], ChoiceDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FieldUsageDTO {
	    records: number;
	    choices: ChoiceUsageDTO[];
	
	    static createFrom(source: any = {}) {
	        return new FieldUsageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.records = source["records"];
	        this.choices = this.convertValues(source["choices"], ChoiceUsageDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FiledLinkDTO {
	    recordId: number;
	    typeId: number;
	    title: string;
	    origin: string;
	
	    static createFrom(source: any = {}) {
	        return new FiledLinkDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recordId = source["recordId"];
	        this.typeId = source["typeId"];
	        this.title = source["title"];
	        this.origin = source["origin"];
	    }
	}
	export class FiledTypeDTO {
	    typeId: number;
	    openFieldId: number;
	    openOp: string;
	    openValue: string;
	    keyFieldId: number;
	
	    static createFrom(source: any = {}) {
	        return new FiledTypeDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.typeId = source["typeId"];
	        this.openFieldId = source["openFieldId"];
	        this.openOp = source["openOp"];
	        this.openValue = source["openValue"];
	        this.keyFieldId = source["keyFieldId"];
	    }
	}
	export class RefileProgressDTO {
	    kind: string;
	    running: boolean;
	    done: number;
	    total: number;
	    records: number;
	    cancelled: boolean;
	
	    static createFrom(source: any = {}) {
	        return new RefileProgressDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.running = source["running"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.records = source["records"];
	        this.cancelled = source["cancelled"];
	    }
	}
	export class FilingSettingsDTO {
	    types: FiledTypeDTO[];
	    domains: DomainExceptionDTO[];
	    progress: RefileProgressDTO;
	
	    static createFrom(source: any = {}) {
	        return new FilingSettingsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.types = this.convertValues(source["types"], FiledTypeDTO);
	        this.domains = this.convertValues(source["domains"], DomainExceptionDTO);
	        this.progress = this.convertValues(source["progress"], RefileProgressDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class FolderDTO {
	    id: number;
	    accountId: number;
	    name: string;
	    role: string;
	    enabled: boolean;
	    total: number;
	    unread: number;
	    lastSync: string;
	
	    static createFrom(source: any = {}) {
	        return new FolderDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.name = source["name"];
	        this.role = source["role"];
	        this.enabled = source["enabled"];
	        this.total = source["total"];
	        this.unread = source["unread"];
	        this.lastSync = source["lastSync"];
	    }
	}
	export class FolderSharingDTO {
	    accountId: number;
	    folderId: number;
	    name: string;
	    role: string;
	    state: string;
	
	    static createFrom(source: any = {}) {
	        return new FolderSharingDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.folderId = source["folderId"];
	        this.name = source["name"];
	        this.role = source["role"];
	        this.state = source["state"];
	    }
	}
	export class GrantDTO {
	    userId: number;
	    default: boolean;
	    signatureId: number;
	
	    static createFrom(source: any = {}) {
	        return new GrantDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.userId = source["userId"];
	        this.default = source["default"];
	        this.signatureId = source["signatureId"];
	    }
	}
	export class IgnoredDTO {
	    value: string;
	    kind: string;
	    at: string;
	
	    static createFrom(source: any = {}) {
	        return new IgnoredDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.value = source["value"];
	        this.kind = source["kind"];
	        this.at = source["at"];
	    }
	}
	export class ImportDTO {
	    id: number;
	    typeId: number;
	    fileName: string;
	    created: number;
	    updated: number;
	    skipped: number;
	    failed: number;
	    createdAt: string;
	    createdByName: string;
	    undoneAt: string;
	
	    static createFrom(source: any = {}) {
	        return new ImportDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.fileName = source["fileName"];
	        this.created = source["created"];
	        this.updated = source["updated"];
	        this.skipped = source["skipped"];
	        this.failed = source["failed"];
	        this.createdAt = source["createdAt"];
	        this.createdByName = source["createdByName"];
	        this.undoneAt = source["undoneAt"];
	    }
	}
	export class ImportFileDTO {
	    fileId: string;
	    name: string;
	    size: number;
	    vcard: boolean;
	    typeId: number;
	    detected: DetectionDTO;
	    header: string[];
	    sample: string[][];
	    rows: number;
	    suggested: string[];
	    confidence: number[];
	    kinds: string[];
	    targets: string[];
	
	    static createFrom(source: any = {}) {
	        return new ImportFileDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fileId = source["fileId"];
	        this.name = source["name"];
	        this.size = source["size"];
	        this.vcard = source["vcard"];
	        this.typeId = source["typeId"];
	        this.detected = this.convertValues(source["detected"], DetectionDTO);
	        this.header = source["header"];
	        this.sample = source["sample"];
	        this.rows = source["rows"];
	        this.suggested = source["suggested"];
	        this.confidence = source["confidence"];
	        this.kinds = source["kinds"];
	        this.targets = source["targets"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PreviewRowDTO {
	    line: number;
	    action: string;
	    recordId: number;
	    values: {[key: string]: any};
	    errors: CellErrorDTO[];
	
	    static createFrom(source: any = {}) {
	        return new PreviewRowDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.line = source["line"];
	        this.action = source["action"];
	        this.recordId = source["recordId"];
	        this.values = source["values"];
	        this.errors = this.convertValues(source["errors"], CellErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class UnresolvedDTO {
	    line: number;
	    column: number;
	    field: string;
	    value: string;
	
	    static createFrom(source: any = {}) {
	        return new UnresolvedDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.line = source["line"];
	        this.column = source["column"];
	        this.field = source["field"];
	        this.value = source["value"];
	    }
	}
	export class RowFailureDTO {
	    line: number;
	    errors: CellErrorDTO[];
	
	    static createFrom(source: any = {}) {
	        return new RowFailureDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.line = source["line"];
	        this.errors = this.convertValues(source["errors"], CellErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ImportReportDTO {
	    importId: number;
	    rows: number;
	    created: number;
	    linked: number;
	    updated: number;
	    skipped: number;
	    failed: number;
	    failures: RowFailureDTO[];
	    unresolved: UnresolvedDTO[];
	    preview: PreviewRowDTO[];
	
	    static createFrom(source: any = {}) {
	        return new ImportReportDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.importId = source["importId"];
	        this.rows = source["rows"];
	        this.created = source["created"];
	        this.linked = source["linked"];
	        this.updated = source["updated"];
	        this.skipped = source["skipped"];
	        this.failed = source["failed"];
	        this.failures = this.convertValues(source["failures"], RowFailureDTO);
	        this.unresolved = this.convertValues(source["unresolved"], UnresolvedDTO);
	        this.preview = this.convertValues(source["preview"], PreviewRowDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ImportSettingsDTO {
	    typeId: number;
	    encoding: string;
	    separator: string;
	    headerRow?: number;
	    dateOrder: string;
	    decimalComma?: boolean;
	    columns: string[];
	    dedupe: string;
	    keyField: string;
	    createLinked: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ImportSettingsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.typeId = source["typeId"];
	        this.encoding = source["encoding"];
	        this.separator = source["separator"];
	        this.headerRow = source["headerRow"];
	        this.dateOrder = source["dateOrder"];
	        this.decimalComma = source["decimalComma"];
	        this.columns = source["columns"];
	        this.dedupe = source["dedupe"];
	        this.keyField = source["keyField"];
	        this.createLinked = source["createLinked"];
	    }
	}
	
	export class MailPageDTO {
	    rows: MailRowDTO[];
	    next: string;
	
	    static createFrom(source: any = {}) {
	        return new MailPageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rows = this.convertValues(source["rows"], MailRowDTO);
	        this.next = source["next"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class MailQueryDTO {
	    accountId: number;
	    folderRole: string;
	    folderId: number;
	    unread: boolean;
	    flagged: boolean;
	    search: string;
	    cursor: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new MailQueryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.folderRole = source["folderRole"];
	        this.folderId = source["folderId"];
	        this.unread = source["unread"];
	        this.flagged = source["flagged"];
	        this.search = source["search"];
	        this.cursor = source["cursor"];
	        this.limit = source["limit"];
	    }
	}
	
	export class SuggestionDTO {
	    recordId: number;
	    typeId: number;
	    title: string;
	    score: number;
	
	    static createFrom(source: any = {}) {
	        return new SuggestionDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recordId = source["recordId"];
	        this.typeId = source["typeId"];
	        this.title = source["title"];
	        this.score = source["score"];
	    }
	}
	export class MessageRecordsDTO {
	    links: FiledLinkDTO[];
	    suggestions: SuggestionDTO[];
	
	    static createFrom(source: any = {}) {
	        return new MessageRecordsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.links = this.convertValues(source["links"], FiledLinkDTO);
	        this.suggestions = this.convertValues(source["suggestions"], SuggestionDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class MessageViewDTO {
	    id: number;
	    accountId: number;
	    folderId: number;
	    folderRole: string;
	    fromName: string;
	    fromEmail: string;
	    toName: string;
	    toEmail: string;
	    recipients: number;
	    subject: string;
	    snippet: string;
	    date: string;
	    seen: boolean;
	    flagged: boolean;
	    answered: boolean;
	    hasAttachments: boolean;
	    handled: boolean;
	    sharedFiled: boolean;
	    folderName: string;
	    messageId: string;
	    from: AddressDTO[];
	    replyTo: AddressDTO[];
	    to: AddressDTO[];
	    cc: AddressDTO[];
	    attachments: AttachmentDTO[];
	    problems: string[];
	    bodyState: string;
	    isHtml: boolean;
	    document: string;
	    remoteImages: number;
	    remoteBlocked: boolean;
	    remoteAlways: boolean;
	
	    static createFrom(source: any = {}) {
	        return new MessageViewDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.folderId = source["folderId"];
	        this.folderRole = source["folderRole"];
	        this.fromName = source["fromName"];
	        this.fromEmail = source["fromEmail"];
	        this.toName = source["toName"];
	        this.toEmail = source["toEmail"];
	        this.recipients = source["recipients"];
	        this.subject = source["subject"];
	        this.snippet = source["snippet"];
	        this.date = source["date"];
	        this.seen = source["seen"];
	        this.flagged = source["flagged"];
	        this.answered = source["answered"];
	        this.hasAttachments = source["hasAttachments"];
	        this.handled = source["handled"];
	        this.sharedFiled = source["sharedFiled"];
	        this.folderName = source["folderName"];
	        this.messageId = source["messageId"];
	        this.from = this.convertValues(source["from"], AddressDTO);
	        this.replyTo = this.convertValues(source["replyTo"], AddressDTO);
	        this.to = this.convertValues(source["to"], AddressDTO);
	        this.cc = this.convertValues(source["cc"], AddressDTO);
	        this.attachments = this.convertValues(source["attachments"], AttachmentDTO);
	        this.problems = source["problems"];
	        this.bodyState = source["bodyState"];
	        this.isHtml = source["isHtml"];
	        this.document = source["document"];
	        this.remoteImages = source["remoteImages"];
	        this.remoteBlocked = source["remoteBlocked"];
	        this.remoteAlways = source["remoteAlways"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class NewUserInput {
	    name: string;
	    email: string;
	    role: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new NewUserInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	        this.role = source["role"];
	        this.language = source["language"];
	    }
	}
	
	export class OfficeSenderDTO {
	    accountId: number;
	    userId: number;
	    address: string;
	    fromName: string;
	    forMe: boolean;
	
	    static createFrom(source: any = {}) {
	        return new OfficeSenderDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.userId = source["userId"];
	        this.address = source["address"];
	        this.fromName = source["fromName"];
	        this.forMe = source["forMe"];
	    }
	}
	export class OnboardInput {
	    name: string;
	    email: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new OnboardInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	        this.language = source["language"];
	    }
	}
	export class OutboxCountsDTO {
	    queued: number;
	    sending: number;
	    sent: number;
	    failed: number;
	    possiblySent: number;
	    cancelled: number;
	
	    static createFrom(source: any = {}) {
	        return new OutboxCountsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.queued = source["queued"];
	        this.sending = source["sending"];
	        this.sent = source["sent"];
	        this.failed = source["failed"];
	        this.possiblySent = source["possiblySent"];
	        this.cancelled = source["cancelled"];
	    }
	}
	export class OutboxItemDTO {
	    id: number;
	    accountId: number;
	    accountName: string;
	    state: string;
	    messageId: string;
	    from: string;
	    to: string[];
	    subject: string;
	    size: number;
	    attempts: number;
	    nextAttempt: string;
	    error?: FailureDTO;
	    reply: string;
	    copy: string;
	    copyError?: FailureDTO;
	    queuedBy: number;
	    createdAt: string;
	    updatedAt: string;
	    sentAt: string;
	
	    static createFrom(source: any = {}) {
	        return new OutboxItemDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.accountName = source["accountName"];
	        this.state = source["state"];
	        this.messageId = source["messageId"];
	        this.from = source["from"];
	        this.to = source["to"];
	        this.subject = source["subject"];
	        this.size = source["size"];
	        this.attempts = source["attempts"];
	        this.nextAttempt = source["nextAttempt"];
	        this.error = this.convertValues(source["error"], FailureDTO);
	        this.reply = source["reply"];
	        this.copy = source["copy"];
	        this.copyError = this.convertValues(source["copyError"], FailureDTO);
	        this.queuedBy = source["queuedBy"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	        this.sentAt = source["sentAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class OutboxPageDTO {
	    items: OutboxItemDTO[];
	    next: string;
	
	    static createFrom(source: any = {}) {
	        return new OutboxPageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], OutboxItemDTO);
	        this.next = source["next"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class OutboxQueryDTO {
	    states: string[];
	    accountId: number;
	    cursor: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new OutboxQueryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.states = source["states"];
	        this.accountId = source["accountId"];
	        this.cursor = source["cursor"];
	        this.limit = source["limit"];
	    }
	}
	export class PlaceholderDTO {
	    path: string;
	    key: string;
	    label: string;
	    kind: string;
	
	    static createFrom(source: any = {}) {
	        return new PlaceholderDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.key = source["key"];
	        this.label = source["label"];
	        this.kind = source["kind"];
	    }
	}
	export class PlaceholderGroupDTO {
	    key: string;
	    label: string;
	    typeId: number;
	    fields: PlaceholderDTO[];
	
	    static createFrom(source: any = {}) {
	        return new PlaceholderGroupDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.label = source["label"];
	        this.typeId = source["typeId"];
	        this.fields = this.convertValues(source["fields"], PlaceholderDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PresetDTO {
	    domain: string;
	    imap?: ServerDTO;
	    smtp?: ServerDTO;
	    usernameForm: string;
	    exchangeUrl: string;
	    updatedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new PresetDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.domain = source["domain"];
	        this.imap = this.convertValues(source["imap"], ServerDTO);
	        this.smtp = this.convertValues(source["smtp"], ServerDTO);
	        this.usernameForm = source["usernameForm"];
	        this.exchangeUrl = source["exchangeUrl"];
	        this.updatedAt = source["updatedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ProfileInput {
	    name: string;
	    title: string;
	    phone: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new ProfileInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.title = source["title"];
	        this.phone = source["phone"];
	        this.language = source["language"];
	    }
	}
	export class ProviderDTO {
	    id: string;
	    name: string;
	    domains: string[];
	    signIn: string;
	    signInOnly: boolean;
	    notes: NoteDTO[];
	
	    static createFrom(source: any = {}) {
	        return new ProviderDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.domains = source["domains"];
	        this.signIn = source["signIn"];
	        this.signInOnly = source["signInOnly"];
	        this.notes = this.convertValues(source["notes"], NoteDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class QuotaDTO {
	    limit: number;
	    active: number;
	
	    static createFrom(source: any = {}) {
	        return new QuotaDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.limit = source["limit"];
	        this.active = source["active"];
	    }
	}
	export class RecordAutomationDTO {
	    id: number;
	    name: string;
	    typeId: number;
	    trigger: string;
	    fieldKey: string;
	    offsetDays: number;
	    value: any;
	    conditions: FilterDTO[];
	    templateId: number;
	    recipientField: string;
	    recipientRole: string;
	    accountId: number;
	    hour: number;
	    timezone: string;
	    threshold: number;
	    enabled: boolean;
	    pending: number;
	    // Go type: time
	    lastRunAt?: any;
	    // Go type: time
	    updatedAt: any;
	    concern: string;
	    triggerValue: string;
	    // Go type: time
	    sendAt?: any;
	    // Go type: time
	    at?: any;
	    unmet: FilterDTO[];
	    problem?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new RecordAutomationDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.typeId = source["typeId"];
	        this.trigger = source["trigger"];
	        this.fieldKey = source["fieldKey"];
	        this.offsetDays = source["offsetDays"];
	        this.value = source["value"];
	        this.conditions = this.convertValues(source["conditions"], FilterDTO);
	        this.templateId = source["templateId"];
	        this.recipientField = source["recipientField"];
	        this.recipientRole = source["recipientRole"];
	        this.accountId = source["accountId"];
	        this.hour = source["hour"];
	        this.timezone = source["timezone"];
	        this.threshold = source["threshold"];
	        this.enabled = source["enabled"];
	        this.pending = source["pending"];
	        this.lastRunAt = this.convertValues(source["lastRunAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	        this.concern = source["concern"];
	        this.triggerValue = source["triggerValue"];
	        this.sendAt = this.convertValues(source["sendAt"], null);
	        this.at = this.convertValues(source["at"], null);
	        this.unmet = this.convertValues(source["unmet"], FilterDTO);
	        this.problem = this.convertValues(source["problem"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordAutomationsDTO {
	    automations: RecordAutomationDTO[];
	    entries: AutomationEntryDTO[];
	
	    static createFrom(source: any = {}) {
	        return new RecordAutomationsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.automations = this.convertValues(source["automations"], RecordAutomationDTO);
	        this.entries = this.convertValues(source["entries"], AutomationEntryDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordButtonDTO {
	    id: number;
	    label: string;
	    problem?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new RecordButtonDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.problem = this.convertValues(source["problem"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordSendDTO {
	    id: number;
	    buttonId: number;
	    label: string;
	    subject: string;
	    recipients: string;
	    // Go type: time
	    sentAt: any;
	    sentBy: string;
	    outboxId: number;
	    state: string;
	    filed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new RecordSendDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.buttonId = source["buttonId"];
	        this.label = source["label"];
	        this.subject = source["subject"];
	        this.recipients = source["recipients"];
	        this.sentAt = this.convertValues(source["sentAt"], null);
	        this.sentBy = source["sentBy"];
	        this.outboxId = source["outboxId"];
	        this.state = source["state"];
	        this.filed = source["filed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordButtonsDTO {
	    buttons: RecordButtonDTO[];
	    sends: RecordSendDTO[];
	
	    static createFrom(source: any = {}) {
	        return new RecordButtonsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.buttons = this.convertValues(source["buttons"], RecordButtonDTO);
	        this.sends = this.convertValues(source["sends"], RecordSendDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordDTO {
	    id: number;
	    typeId: number;
	    title: string;
	    values: {[key: string]: any};
	    createdAt: string;
	    createdByName: string;
	    updatedAt: string;
	    updatedByName: string;
	    deletedAt: string;
	    importId: number;
	
	    static createFrom(source: any = {}) {
	        return new RecordDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.title = source["title"];
	        this.values = source["values"];
	        this.createdAt = source["createdAt"];
	        this.createdByName = source["createdByName"];
	        this.updatedAt = source["updatedAt"];
	        this.updatedByName = source["updatedByName"];
	        this.deletedAt = source["deletedAt"];
	        this.importId = source["importId"];
	    }
	}
	export class RecordDetailDTO {
	    record: RecordDTO;
	    backlinks: BacklinksDTO[];
	
	    static createFrom(source: any = {}) {
	        return new RecordDetailDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.record = this.convertValues(source["record"], RecordDTO);
	        this.backlinks = this.convertValues(source["backlinks"], BacklinksDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordInputDTO {
	    typeId: number;
	    values: {[key: string]: any};
	
	    static createFrom(source: any = {}) {
	        return new RecordInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.typeId = source["typeId"];
	        this.values = source["values"];
	    }
	}
	export class RecordPageDTO {
	    records: RecordDTO[];
	    next: string;
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new RecordPageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.records = this.convertValues(source["records"], RecordDTO);
	        this.next = source["next"];
	        this.total = source["total"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class RecordTypeDTO {
	    id: number;
	    key: string;
	    builtin: string;
	    singular: string;
	    plural: string;
	    titleFieldId: number;
	    fields: FieldDTO[];
	
	    static createFrom(source: any = {}) {
	        return new RecordTypeDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.key = source["key"];
	        this.builtin = source["builtin"];
	        this.singular = source["singular"];
	        this.plural = source["plural"];
	        this.titleFieldId = source["titleFieldId"];
	        this.fields = this.convertValues(source["fields"], FieldDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class RestoreResultDTO {
	    backup: BackupInfoDTO;
	    users: number;
	    accounts: number;
	    records: number;
	
	    static createFrom(source: any = {}) {
	        return new RestoreResultDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = this.convertValues(source["backup"], BackupInfoDTO);
	        this.users = source["users"];
	        this.accounts = source["accounts"];
	        this.records = source["records"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	export class SentDTO {
	    outboxId: number;
	    messageId: string;
	    state: string;
	
	    static createFrom(source: any = {}) {
	        return new SentDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.outboxId = source["outboxId"];
	        this.messageId = source["messageId"];
	        this.state = source["state"];
	    }
	}
	
	export class UserDTO {
	    id: number;
	    name: string;
	    email: string;
	    role: string;
	    language: string;
	    title: string;
	    phone: string;
	    protected: boolean;
	    createdAt: string;
	
	    static createFrom(source: any = {}) {
	        return new UserDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.email = source["email"];
	        this.role = source["role"];
	        this.language = source["language"];
	        this.title = source["title"];
	        this.phone = source["phone"];
	        this.protected = source["protected"];
	        this.createdAt = source["createdAt"];
	    }
	}
	export class SessionState {
	    onboarded: boolean;
	    user?: UserDTO;
	    language: string;
	    userCount: number;
	    lastUserId: number;
	    lockedIdle: boolean;
	    idleLockSeconds: number;
	
	    static createFrom(source: any = {}) {
	        return new SessionState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.onboarded = source["onboarded"];
	        this.user = this.convertValues(source["user"], UserDTO);
	        this.language = source["language"];
	        this.userCount = source["userCount"];
	        this.lastUserId = source["lastUserId"];
	        this.lockedIdle = source["lockedIdle"];
	        this.idleLockSeconds = source["idleLockSeconds"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SignInClientDTO {
	    provider: string;
	    configured: boolean;
	    source: string;
	    clientId: string;
	    keyStored: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SignInClientDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.provider = source["provider"];
	        this.configured = source["configured"];
	        this.source = source["source"];
	        this.clientId = source["clientId"];
	        this.keyStored = source["keyStored"];
	    }
	}
	export class SignInClientInput {
	    provider: string;
	    clientId: string;
	    key: string;
	
	    static createFrom(source: any = {}) {
	        return new SignInClientInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.provider = source["provider"];
	        this.clientId = source["clientId"];
	        this.key = source["key"];
	    }
	}
	export class SignInDTO {
	    runId: string;
	    provider: string;
	    email: string;
	    expiresAt: string;
	
	    static createFrom(source: any = {}) {
	        return new SignInDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.provider = source["provider"];
	        this.email = source["email"];
	        this.expiresAt = source["expiresAt"];
	    }
	}
	export class SignInUserDTO {
	    id: number;
	    name: string;
	    protected: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SignInUserDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.protected = source["protected"];
	    }
	}
	export class SignatureDTO {
	    id: number;
	    accountId: number;
	    name: string;
	    html: string;
	    updatedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new SignatureDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.name = source["name"];
	        this.html = source["html"];
	        this.updatedAt = source["updatedAt"];
	    }
	}
	export class SignatureInput {
	    id: number;
	    accountId: number;
	    name: string;
	    html: string;
	
	    static createFrom(source: any = {}) {
	        return new SignatureInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accountId = source["accountId"];
	        this.name = source["name"];
	        this.html = source["html"];
	    }
	}
	
	export class StepDTO {
	    runId: string;
	    name: string;
	    status: string;
	    detail: string;
	    code: string;
	    error?: ErrorDTO;
	    hintCode: string;
	    params: {[key: string]: string};
	    cert?: CertDTO;
	    certReason: string;
	    tlsVersion: string;
	    trusted: boolean;
	    host: string;
	    port: number;
	    elapsedMs: number;
	
	    static createFrom(source: any = {}) {
	        return new StepDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.name = source["name"];
	        this.status = source["status"];
	        this.detail = source["detail"];
	        this.code = source["code"];
	        this.error = this.convertValues(source["error"], ErrorDTO);
	        this.hintCode = source["hintCode"];
	        this.params = source["params"];
	        this.cert = this.convertValues(source["cert"], CertDTO);
	        this.certReason = source["certReason"];
	        this.tlsVersion = source["tlsVersion"];
	        this.trusted = source["trusted"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.elapsedMs = source["elapsedMs"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class SyncStatusDTO {
	    accountId: number;
	    folder: string;
	    phase: string;
	    done: number;
	    total: number;
	    error?: FailureDTO;
	    retryIn: number;
	    cancelled: boolean;
	    seq: number;
	
	    static createFrom(source: any = {}) {
	        return new SyncStatusDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.accountId = source["accountId"];
	        this.folder = source["folder"];
	        this.phase = source["phase"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.error = this.convertValues(source["error"], FailureDTO);
	        this.retryIn = source["retryIn"];
	        this.cancelled = source["cancelled"];
	        this.seq = source["seq"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class VaultStatusDTO {
	    available: boolean;
	    reason: string;
	    detail: string;
	
	    static createFrom(source: any = {}) {
	        return new VaultStatusDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.reason = source["reason"];
	        this.detail = source["detail"];
	    }
	}
	export class SystemStatus {
	    version: string;
	    dataDir: string;
	    storageError?: ErrorDTO;
	    vault: VaultStatusDTO;
	
	    static createFrom(source: any = {}) {
	        return new SystemStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.dataDir = source["dataDir"];
	        this.storageError = this.convertValues(source["storageError"], ErrorDTO);
	        this.vault = this.convertValues(source["vault"], VaultStatusDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TemplateAttachmentDTO {
	    id: number;
	    name: string;
	    contentType: string;
	    size: number;
	
	    static createFrom(source: any = {}) {
	        return new TemplateAttachmentDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.contentType = source["contentType"];
	        this.size = source["size"];
	    }
	}
	export class TemplateDTO {
	    id: number;
	    name: string;
	    language: string;
	    typeId: number;
	    subject: string;
	    html: string;
	    text: string;
	    textEdited: boolean;
	    attachments: TemplateAttachmentDTO[];
	    // Go type: time
	    updatedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new TemplateDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.language = source["language"];
	        this.typeId = source["typeId"];
	        this.subject = source["subject"];
	        this.html = source["html"];
	        this.text = source["text"];
	        this.textEdited = source["textEdited"];
	        this.attachments = this.convertValues(source["attachments"], TemplateAttachmentDTO);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TemplateInputDTO {
	    id: number;
	    name: string;
	    language: string;
	    typeId: number;
	    subject: string;
	    html: string;
	    text: string;
	    textEdited: boolean;
	
	    static createFrom(source: any = {}) {
	        return new TemplateInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.language = source["language"];
	        this.typeId = source["typeId"];
	        this.subject = source["subject"];
	        this.html = source["html"];
	        this.text = source["text"];
	        this.textEdited = source["textEdited"];
	    }
	}
	export class TemplatePreviewDTO {
	    subject: string;
	    html: string;
	    document: string;
	    text: string;
	    attachments: TemplateAttachmentDTO[];
	    missing: string[];
	
	    static createFrom(source: any = {}) {
	        return new TemplatePreviewDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.subject = source["subject"];
	        this.html = source["html"];
	        this.document = source["document"];
	        this.text = source["text"];
	        this.attachments = this.convertValues(source["attachments"], TemplateAttachmentDTO);
	        this.missing = source["missing"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TemplateSummaryDTO {
	    id: number;
	    name: string;
	    language: string;
	    typeId: number;
	    subject: string;
	    attachments: number;
	    // Go type: time
	    updatedAt: any;
	    problem?: ErrorDTO;
	
	    static createFrom(source: any = {}) {
	        return new TemplateSummaryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.language = source["language"];
	        this.typeId = source["typeId"];
	        this.subject = source["subject"];
	        this.attachments = source["attachments"];
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	        this.problem = this.convertValues(source["problem"], ErrorDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TestEmailInput {
	    to: string;
	    subject: string;
	    body: string;
	
	    static createFrom(source: any = {}) {
	        return new TestEmailInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.to = source["to"];
	        this.subject = source["subject"];
	        this.body = source["body"];
	    }
	}
	export class TestEmailResultDTO {
	    outboxId: number;
	    messageId: string;
	    state: string;
	    answer: string;
	    nextAttempt: string;
	
	    static createFrom(source: any = {}) {
	        return new TestEmailResultDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.outboxId = source["outboxId"];
	        this.messageId = source["messageId"];
	        this.state = source["state"];
	        this.answer = source["answer"];
	        this.nextAttempt = source["nextAttempt"];
	    }
	}
	export class TestInput {
	    runId: string;
	    accountId: number;
	    account: AccountInput;
	
	    static createFrom(source: any = {}) {
	        return new TestInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.accountId = source["accountId"];
	        this.account = this.convertValues(source["account"], AccountInput);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TestReportDTO {
	    runId: string;
	    ok: boolean;
	    steps: StepDTO[];
	
	    static createFrom(source: any = {}) {
	        return new TestReportDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.ok = source["ok"];
	        this.steps = this.convertValues(source["steps"], StepDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TimelineMessageDTO {
	    row: MailRowDTO;
	    origin: string;
	
	    static createFrom(source: any = {}) {
	        return new TimelineMessageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.row = this.convertValues(source["row"], MailRowDTO);
	        this.origin = source["origin"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ThreadDTO {
	    latest: string;
	    messages: TimelineMessageDTO[];
	
	    static createFrom(source: any = {}) {
	        return new ThreadDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.latest = source["latest"];
	        this.messages = this.convertValues(source["messages"], TimelineMessageDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TimelinePageDTO {
	    threads: ThreadDTO[];
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new TimelinePageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.threads = this.convertValues(source["threads"], ThreadDTO);
	        this.total = source["total"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ToFilePageDTO {
	    groups: CorrespondentDTO[];
	    total: number;
	
	    static createFrom(source: any = {}) {
	        return new ToFilePageDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.groups = this.convertValues(source["groups"], CorrespondentDTO);
	        this.total = source["total"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TrashItemDTO {
	    id: number;
	    typeId: number;
	    title: string;
	    deletedAt: string;
	    deletedByName: string;
	
	    static createFrom(source: any = {}) {
	        return new TrashItemDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.title = source["title"];
	        this.deletedAt = source["deletedAt"];
	        this.deletedByName = source["deletedByName"];
	    }
	}
	export class TypeInputDTO {
	    singular: string;
	    plural: string;
	    titleLabel: string;
	    titleFieldId: number;
	
	    static createFrom(source: any = {}) {
	        return new TypeInputDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.singular = source["singular"];
	        this.plural = source["plural"];
	        this.titleLabel = source["titleLabel"];
	        this.titleFieldId = source["titleFieldId"];
	    }
	}
	export class UndoDTO {
	    removed: number;
	    restored: number;
	    missing: number;
	
	    static createFrom(source: any = {}) {
	        return new UndoDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.removed = source["removed"];
	        this.restored = source["restored"];
	        this.missing = source["missing"];
	    }
	}
	
	
	
	export class ViewDTO {
	    id: number;
	    typeId: number;
	    name: string;
	    columns: string[];
	    sort: SortDTO;
	    filters: FilterDTO[];
	    search: string;
	
	    static createFrom(source: any = {}) {
	        return new ViewDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.typeId = source["typeId"];
	        this.name = source["name"];
	        this.columns = source["columns"];
	        this.sort = this.convertValues(source["sort"], SortDTO);
	        this.filters = this.convertValues(source["filters"], FilterDTO);
	        this.search = source["search"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

