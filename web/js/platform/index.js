// The platform's own views: the situation map, the audit ledger, administration (accounts,
// devices, geography).
import map from "./map-view.js";
import audit from "./audit.js";
import admin from "./admin.js";

/// The platform's ledger actions in words (zh-CN, en).
const audit_words = {
  "access.denied": ["拒绝访问", "Access refused"],
  "audit.read": ["查阅审计日志", "Ledger read"],
  "auth.login": ["登录", "Sign-in"],
  "auth.logout": ["退出登录", "Sign-out"],
  "user.create": ["创建用户", "User created"],
  "user.disable": ["停用用户", "User disabled"],
  "user.enable": ["启用用户", "User enabled"],
  "user.password": ["修改密码", "Password changed"],
  "user.unlock": ["解除账户锁定", "Account unlocked"],
  "device.create": ["登记设备", "Device registered"],
  "device.disable": ["停用设备", "Device disabled"],
  "device.enable": ["启用设备", "Device enabled"],
  "device.rotate_key": ["更换设备密钥", "Device key rotated"],
  "geography.import": ["导入地理数据", "Geography imported"],
};

export default { name: "platform", views: [map, audit, admin], audit: audit_words };
